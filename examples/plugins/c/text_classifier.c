/*
 * The text classifier of the plugin guide: reads params.text from the envelope and answers
 * {"category": "spam" | "transactional" | "ham", "confidence": 0.95, "input_length": N}.
 */
#include "orch8_plugin.h"

static int contains(const char *text, o8_size n, const char *word) {
    return o8_find(text, n, word, o8_strlen(word)) >= 0;
}

static const char *classify(const char *text, o8_size n) {
    if (contains(text, n, "buy now") || contains(text, n, "limited offer")) return "spam";
    if (contains(text, n, "invoice") || contains(text, n, "receipt")) return "transactional";
    return "ham";
}

ORCH8_EXPORT(handle) long long handle(int ptr, int len) {
    const char *input = (const char *)(unsigned long)ptr;
    int params = o8_find(input, (o8_size)len, "\"params\"", 8);
    char *text = o8_alloc((o8_size)len);
    int n = params < 0 ? -1 : o8_string_field(input, (o8_size)len, (o8_size)params, "text", text, (o8_size)len);
    if (n < 0) n = 0;
    const char *category = classify(text, (o8_size)n);

    char *out = o8_alloc(96);
    o8_size w = 0;
    const char *head = "{\"category\":\"";
    for (o8_size i = 0; head[i]; i++) out[w++] = head[i];
    for (o8_size i = 0; category[i]; i++) out[w++] = category[i];
    const char *middle = "\",\"confidence\":0.95,\"input_length\":";
    for (o8_size i = 0; middle[i]; i++) out[w++] = middle[i];
    w += o8_itoa((unsigned long)n, out + w);
    out[w++] = '}';
    return o8_result(out, w);
}
