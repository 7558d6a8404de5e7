/*
 * moderation-wordlist: folding and tokens (UTF-8 itself comes from the C plugin kit).
 *
 * Text and words are "folded" before they are compared: ASCII lowercased, accented Latin
 * letters reduced to base letters, invisible characters dropped, punctuation and symbols
 * turned into spaces. Tokens are then the runs of letters and digits of the folded text.
 */
#include "wl_fold.h"

#include <string.h>

/* Base letters for U+00C0..U+017F, one per code point. '*' marks the few that fold to two
 * letters (see fold_cp); ' ' marks × and ÷, which separate words. */
static const char latin_fold[] =
    "aaaaaa*ceeeeiiiidnooooo ouuuuy**" /* U+00C0..U+00DF */
    "aaaaaa*ceeeeiiiidnooooo ouuuuy*y" /* U+00E0..U+00FF */
    "aaaaaaccccccccddddeeeeeeeeee"     /* U+0100..U+011B */
    "gggggggghhhhiiiiiiiiii**jjkkk"    /* U+011C..U+0138 */
    "llllllllllnnnnnnnnnoooooo**"      /* U+0139..U+0153 (U+0149 ŉ -> n) */
    "rrrrrrsssssssstttttt"             /* U+0154..U+0167 */
    "uuuuuuuuuuuuwwyyyzzzzzzs";        /* U+0168..U+017F */
_Static_assert(sizeof latin_fold == 0x180 - 0xC0 + 1, "one entry per code point");

enum { FOLD_KEEP, FOLD_DROP, FOLD_SPACE };

/* Invisible characters are dropped so that "f<zero width space>uck" cannot dodge the list;
 * punctuation, symbols and emoji become spaces so that they separate words. */
static int fold_class(uint32_t cp) {
    static const struct { uint32_t lo, hi; int what; } ranges[] = {
        {0x0080, 0x00AC, FOLD_SPACE},   {0x00AD, 0x00AD, FOLD_DROP},
        {0x00AE, 0x00BF, FOLD_SPACE},   {0x0300, 0x036F, FOLD_DROP},
        {0x2000, 0x200A, FOLD_SPACE},   {0x200B, 0x200F, FOLD_DROP},
        {0x2010, 0x2029, FOLD_SPACE},   {0x202A, 0x202E, FOLD_DROP},
        {0x202F, 0x205F, FOLD_SPACE},   {0x2060, 0x206F, FOLD_DROP},
        {0x2070, 0x2BFF, FOLD_SPACE},   {0x3000, 0x303F, FOLD_SPACE},
        {0xFE00, 0xFE0F, FOLD_DROP},    {0xFEFF, 0xFEFF, FOLD_DROP},
        {0xFF5F, 0xFF65, FOLD_SPACE},   {0x1F000, 0x1FAFF, FOLD_SPACE},
        {0xE0000, 0xE007F, FOLD_DROP},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (cp >= ranges[i].lo && cp <= ranges[i].hi) return ranges[i].what;
    return FOLD_KEEP;
}

/* Folds one code point into out and returns the byte count: never more than the code
 * point's own UTF-8 length, which is what lets wl_fold_utf8 work in place. */
static size_t fold_cp(uint32_t cp, bool lower_ascii, unsigned char *out) {
    if (cp < 0x80) {
        if (cp == 0) cp = ' '; /* a NUL would hide the rest of the text from regexec */
        else if (lower_ascii && cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
        return out[0] = (unsigned char)cp, 1;
    }
    int what = fold_class(cp);
    if (what == FOLD_DROP) return 0;
    if (what == FOLD_SPACE) return out[0] = ' ', 1;
    if (cp >= 0xC0 && cp < 0x180) {
        const char *two = cp == 0xC6 || cp == 0xE6 ? "ae" : cp == 0xDF ? "ss"
                        : cp == 0xDE || cp == 0xFE ? "th" : cp == 0x132 || cp == 0x133 ? "ij"
                        : cp == 0x152 || cp == 0x153 ? "oe" : NULL;
        if (two) return memcpy(out, two, 2), 2;
        return out[0] = (unsigned char)latin_fold[cp - 0xC0], 1;
    }
    /* Fullwidth forms are a classic way around ASCII lists. Their punctuation becomes a
     * space, not ASCII punctuation, so folding a pattern never creates an operator. */
    if (cp >= 0xFF01 && cp <= 0xFF5E) {
        unsigned char a = (unsigned char)(cp - 0xFF01 + 0x21);
        if (a >= 'A' && a <= 'Z') a = lower_ascii ? (unsigned char)(a + 'a' - 'A') : a;
        else if (!((a >= 'a' && a <= 'z') || (a >= '0' && a <= '9'))) a = ' ';
        return out[0] = a, 1;
    }
    /* The regular upper/lower pairs of Greek and Cyrillic are one addition away. */
    if ((cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) || (cp >= 0x410 && cp <= 0x42F)) cp += 0x20;
    else if (cp >= 0x400 && cp <= 0x40F) cp += 0x50;
    return knc_utf8_encode(cp, out);
}

/* Folds n bytes of UTF-8 from in to out; out == in is allowed. On invalid UTF-8 returns
 * false and the offset of the bad sequence. */
bool wl_fold_utf8(const unsigned char *in, size_t n, unsigned char *out, size_t *out_len,
                  size_t *bad_at, bool lower_ascii) {
    size_t i = 0, o = 0;
    while (i < n) {
        unsigned char tmp[4];
        uint32_t cp;
        size_t k = knc_utf8_decode(in + i, n - i, &cp);
        if (k == 0) return *bad_at = i, false;
        size_t m = fold_cp(cp, lower_ascii, tmp);
        memcpy(out + o, tmp, m);
        o += m, i += k;
    }
    return *out_len = o, true;
}

/* Tokens are runs of ASCII letters and digits and of the non-ASCII characters left after
 * folding (letters of other scripts); everything else separates words. */
static bool is_word_byte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

bool wl_next_token(const unsigned char *s, size_t n, size_t *pos, size_t *start, size_t *len) {
    size_t i = *pos, j;
    while (i < n && !is_word_byte(s[i])) i++;
    if (i >= n) return *pos = n, false;
    for (j = i; j < n && is_word_byte(s[j]); j++) {}
    *start = i, *len = j - i, *pos = j;
    return true;
}

uint32_t wl_fnv1a(const unsigned char *s, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 16777619u;
    return h;
}
