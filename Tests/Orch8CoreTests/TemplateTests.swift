import Testing

@testable import Orch8Core

/// Renders `value`'s templates in the sample scope.
private func render(_ value: JSON, in scope: EvaluationScope = sampleScope) throws(TemplateError) -> JSON {
    try Template(value).render(in: scope)
}

/// The message of the error rendering `value` throws, or nil.
private func renderError(_ value: JSON) -> String? {
    do {
        _ = try Template(value).render(in: sampleScope)
        return nil
    } catch {
        return error.description
    }
}

/// Templates (ORCH8-SPEC §3.1): roots, paths, fallbacks, filters, functions, whole versus inline.
@Suite struct TemplateTests {
    @Test func everyRootResolves() throws {
        #expect(try render("{{context.data.name}}") == "Ada")
        #expect(try render("{{ context.config.region }}") == "eu")
        #expect(try render("{{data.seats}}") == 12)
        #expect(try render("{{config.limit}}") == 100)
        #expect(try render("{{outputs.fetch.status}}") == 200)
        #expect(try render("{{steps.score.value}}") == 0.75)
        #expect(try render("{{input.email}}") == "ada@example.com")
        #expect(try render("{{instance_id}}") == "0190f5a4-0000-7000-8000-000000000001")
        #expect(try render("{{runtime.attempt}}") == 2)
        #expect(try render("{{state.counter}}") == 3)
    }

    @Test func unknownRootsAndContextSectionsAreErrors() {
        #expect(renderError("{{item}}") == "template resolution failed: unknown template root: item")
        #expect(renderError("{{ instance.id }}") == "template resolution failed: unknown template root: instance")
        #expect(renderError("Hi {{index}}") == "template resolution failed: unknown template root: index")
        #expect(
            renderError("{{context.secrets.key}}") == "template resolution failed: unknown context section: secrets"
        )
        #expect(renderError(["deep": ["{{ foo.bar }}"]]) == "template resolution failed: unknown template root: foo")
    }

    @Test func unknownRootsAreListedAsProblemsAtCompileTime() {
        let template = Template(["a": "{{item}}", "b": "{{context.data.ok}}", "c": ["x {{ bad_root }}"]])
        #expect(
            template.problems.map(\.message).sorted() == [
                "unknown template root: bad_root", "unknown template root: item",
            ]
        )
        #expect(Template(["a": "{{context.data.x}}"]).problems.isEmpty)
    }

    @Test func wholeStringTemplatesKeepTheJSONType() throws {
        #expect(same(try render("{{data.seats}}"), 12))
        #expect(same(try render("{{data.price}}"), 9.5))
        #expect(try render("{{data.flag}}") == true)
        #expect(try render("{{data.tags}}") == ["a", "b"])
        #expect(try render("{{outputs.fetch.body}}") == ["ids": [10, 20, 30]])
        #expect(try render("{{data.missing}}") == .null)
    }

    @Test func inlineTemplatesRenderText() throws {
        #expect(try render("Hello {{context.data.name}}!") == "Hello Ada!")
        #expect(try render("{{data.name}} has {{data.seats}} seats") == "Ada has 12 seats")
        #expect(try render("tags={{data.tags}}") == #"tags=["a","b"]"#)
        #expect(try render("missing={{data.missing}}") == "missing=null")
        #expect(try render("{{data.name}}{{data.name}}") == "AdaAda", "two templates are inline even without text")
    }

    @Test func paramsAreWalkedRecursively() throws {
        let params: JSON = [
            "user": ["name": "{{data.name}}", "seats": "{{data.seats}}"],
            "ids": ["{{outputs.fetch.body.ids.0}}", "literal", 5],
            "{{data.name}}": "keys are not templates",
        ]
        #expect(
            try render(params) == [
                "user": ["name": "Ada", "seats": 12], "ids": [10, "literal", 5],
                "{{data.name}}": "keys are not templates",
            ]
        )
    }

    @Test func constantValuesAreReturnedUnchanged() throws {
        let value: JSON = ["a": [1, "two", ["three": nil]], "b": "no braces { here }"]
        let template = Template(value)
        #expect(template.isConstant)
        #expect(try template.render(in: sampleScope) == value)
        #expect(!Template(["a": ["{{data.x}}"]]).isConstant)
    }

    @Test func arrayIndicesInPaths() throws {
        #expect(try render("{{outputs.fetch.body.ids.2}}") == 30)
        #expect(try render("{{data.items.1.name}}") == "second")
        #expect(try render("{{data.items.9.name}}") == .null)
    }

    @Test func fallbacksTakeTheFirstNonNullValue() throws {
        #expect(try render("{{ data.missing | data.name }}") == "Ada")
        #expect(try render("{{ data.missing | outputs.nope.x | 'fallback' }}") == "fallback")
        #expect(try render(#"{{ data.missing | "double" }}"#) == "double")
        #expect(same(try render("{{ data.missing | 42 }}"), 42))
        #expect(same(try render("{{ data.missing | -1.5 }}"), -1.5))
        #expect(try render("{{ data.missing | true }}") == true)
        #expect(try render("{{ data.missing | null }}") == .null)
        #expect(try render("{{ data.missing | anonymous }}") == "anonymous", "a bare word is a string")
        #expect(try render("{{ data.zero | 5 }}") == 0, "only null falls through, not falsy values")
        #expect(try render("{{ 'just a literal' }}") == "just a literal")
    }

    @Test func filtersApplyLeftToRight() throws {
        #expect(try render("{{ data.name | upper }}") == "ADA")
        #expect(try render("{{ data.name | lower | upper | lower }}") == "ada")
        #expect(try render("{{ data.missing | data.name | upper }}") == "ADA", "filters after fallbacks")
        #expect(try render("{{ data.missing | default('none') }}") == "none")
        #expect(try render("{{ data.empty | default('was empty') }}") == "was empty")
        #expect(try render("{{ data.missing | upper | default('x') }}") == "x", "null passes filters")
        #expect(try render("{{ data.tags | join('-') }}") == "a-b")
        #expect(try render("{{ data.name | truncate(2, '…') }}") == "Ad…")
        #expect(try render("Dear {{ data.name | upper }},") == "Dear ADA,")
    }

    @Test func everyFilterIsReachableFromATemplate() throws {
        let scope = EvaluationScope(data: [
            "s": "  Hello World  ", "n": -3.14159, "csv": "a,b", "list": ["x", "y"], "b64": "aGk=",
            "who": "World",
        ])
        let cases: [(String, JSON)] = [
            ("{{ data.s | upper }}", "  HELLO WORLD  "),
            ("{{ data.s | lower }}", "  hello world  "),
            ("{{ data.s | trim }}", "Hello World"),
            ("{{ data.n | abs }}", 3.14159),
            ("{{ data.s | trim | url_encode }}", "Hello%20World"),
            ("{{ data.csv | base64 }}", "YSxi"),
            ("{{ data.b64 | base64_decode }}", "hi"),
            ("{{ data.none | default(7) }}", 7),
            ("{{ data.s | trim | truncate(5) }}", "Hello"),
            ("{{ data.list | join(';') }}", "x;y"),
            ("{{ data.csv | split(',') }}", ["a", "b"]),
            ("{{ data.csv | hash('sha256') }}", "1eb7c54d52831bbfe8942af0b1c56b7409523a59ed6ca99c1174fef7eb32c1b5"),
            ("{{ data.n | round(2) }}", -3.14),
            ("{{ data.s | trim | replace('World', data.who) }}", "Hello World"),
            ("{{ data.s | trim | replace('World', 'There') }}", "Hello There"),
        ]
        let covered = cases.flatMap { template, _ in
            template.dropLast(2).split(separator: "|").dropFirst().map {
                String($0.split(separator: "(")[0]).trimmingASCIIWhitespace()
            }
        }
        #expect(Set(covered) == TemplateFilters.names)
        for (template, expected) in cases {
            #expect(try Template(.string(template)).render(in: scope) == expected, "\(template)")
        }
    }

    @Test func filterErrorsAndUnknownFilters() {
        #expect(renderError("{{ data.name | shout }}") == nil, "a bare word after the base is a fallback literal")
        #expect(renderError("{{ data.name | shout(1) }}") == "template resolution failed: unknown filter: shout")
        #expect(renderError("{{ data.name | upper | shout }}") == "template resolution failed: unknown filter: shout")
        #expect(
            renderError("{{ data.tags | upper }}") == "template resolution failed: upper: expected a string, got array"
        )
        #expect(renderError("{{ data.name || 'x' }}")?.hasPrefix("template resolution failed: empty segment") == true)
        #expect(renderError("{{ upper(data.name) }}") == "template resolution failed: unknown function: upper")
        #expect(renderError("{{}}")?.hasPrefix("template resolution failed: empty segment") == true)
        #expect(renderError("{{ data.x | 'open }}") == nil, "an unterminated quote leaves the braces unclosed: text")
    }

    @Test func jsonAndLenWrapAPath() throws {
        #expect(try render("{{ json(data.tags) }}") == #"["a","b"]"#)
        #expect(try render("{{ len(data.tags) }}") == 2)
        #expect(try render("{{ len(data.name) }}") == 3)
        #expect(try render("{{ len(outputs.fetch) }}") == 2)
        #expect(try render("n={{ len(data.items) }}") == "n=2")
        #expect(try render("{{ json(data.missing) }}") == "null")
        #expect(renderError("{{ len(nope.x) }}") == "template resolution failed: unknown template root: nope")
        #expect(renderError("{{ len() }}") == "template resolution failed: len() needs a path")
    }

    @Test func closingBracesInsideQuotesDoNotEndTheTemplate() throws {
        #expect(try render("{{ data.missing | default('}}') }}") == "}}")
        #expect(try render("a {{ data.missing | 'x}}y' }} b") == "a x}}y b")
    }

    @Test func unbalancedBracesStayText() throws {
        #expect(try render("{{ data.name") == "{{ data.name")
        #expect(try render("x {{data.name}} and {{ open") == "x Ada and {{ open")
        #expect(try render("}} {{") == "}} {{")
        #expect(try render("{ {data.name} }") == "{ {data.name} }")
    }
}
