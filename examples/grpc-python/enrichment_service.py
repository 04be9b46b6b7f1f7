"""A gRPC plugin for Orch8 in plain Python: two JSON-over-HTTP/2 methods, Enrichment.LookupCompany
and Enrichment.ScoreLead, as an ASGI app that hypercorn serves over cleartext HTTP/2.

Run it:  hypercorn enrichment_service:app --bind 127.0.0.1:8090
Each request body is Orch8's plugin envelope; the JSON answer becomes the step's output.
"""
import json

# Stands in for a call to a company-data provider or a database.
COMPANIES = {
    "acme.io": {"name": "Acme", "employees": 240, "industry": "saas"},
    "ledgerly.com": {"name": "Ledgerly", "employees": 35, "industry": "fintech"},
    "bakery.example": {"name": "Corner Bakery", "employees": 6, "industry": "food"},
}


def lookup_company(params):
    domain = str(params.get("domain", "")).lower()
    company = COMPANIES.get(domain)
    if company is None:
        return 404, {"error": f"unknown company domain: {domain or '(none)'}"}
    return 200, {"company_name": company["name"], "employee_count": company["employees"],
                 "industry": company["industry"], "domain": domain}


def score_lead(params):
    def truthy(value):
        return value is True or str(value).lower() in ("true", "1", "yes")

    points = {
        "company_email": 30 if truthy(params.get("has_company_email")) else 0,
        "pricing_page": 25 if truthy(params.get("visited_pricing")) else 0,
        "size": 20 if int(params.get("employee_count") or 0) > 50 else 0,
        "industry": 25 if params.get("industry") in ("saas", "fintech") else 0,
    }
    score = sum(points.values())
    tier = "hot" if score >= 70 else "warm" if score >= 40 else "cold"
    return 200, {"score": score, "tier": tier, "points": points}


METHODS = {"/Enrichment/LookupCompany": lookup_company, "/Enrichment/ScoreLead": score_lead}


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    method = METHODS.get(scope["path"])
    if scope["method"] != "POST" or method is None:
        status, answer = 404, {"error": f"no method {scope['method']} {scope['path']}"}
    else:
        try:
            envelope = json.loads(body or b"{}")
            status, answer = method(envelope.get("params") or {})
        except (ValueError, TypeError) as error:
            status, answer = 400, {"error": f"bad request: {error}"}
    payload = json.dumps(answer).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
