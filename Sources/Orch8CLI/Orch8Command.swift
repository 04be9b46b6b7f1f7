@main
struct Orch8Placeholder {
    static func main() {}
}
