/*
 * Kinora C plugin kit: Base64 (RFC 4648 §4, with padding) and lower-case hex.
 *
 * Internal to the plugin: every function is hidden.
 */
#ifndef KINORA_KNC_BASE64_H
#define KINORA_KNC_BASE64_H

#include <stdbool.h>
#include <stddef.h>

#ifndef KNC_INTERNAL
#define KNC_INTERNAL __attribute__((visibility("hidden")))
#endif

/* Characters knc_base64_encode writes for n bytes, without the NUL. */
#define KNC_BASE64_LEN(n) (4 * (((n) + 2) / 3))

/* Writes the Base64 of n bytes and a NUL into out (KNC_BASE64_LEN(n) + 1 bytes); returns
 * the length written. */
KNC_INTERNAL size_t knc_base64_encode(const void *in, size_t n, char *out);

/* Decodes n characters of Base64 (padding optional, no whitespace) into out, which needs
 * 3 * (n / 4) + 3 bytes; sets *outlen. False on a character outside the alphabet or a
 * malformed tail. */
KNC_INTERNAL bool knc_base64_decode(const char *in, size_t n, unsigned char *out, size_t *outlen);

/* Characters knc_base64url_encode writes for n bytes (no padding), without the NUL. */
#define KNC_BASE64URL_LEN(n) ((4 * (n) + 2) / 3)

/* base64url (RFC 4648 §5) without padding, as JWTs and Web Push use it: writes
 * KNC_BASE64URL_LEN(n) characters and a NUL into out; returns the length written. */
KNC_INTERNAL size_t knc_base64url_encode(const void *in, size_t n, char *out);

/* Decodes n characters of base64url (padding optional) into out (3 * (n / 4) + 3 bytes);
 * sets *outlen. False on a character outside the alphabet or a malformed tail. */
KNC_INTERNAL bool knc_base64url_decode(const char *in, size_t n, unsigned char *out, size_t *outlen);

/* Lower-case hex of n bytes and a NUL into out (2n + 1 bytes). */
KNC_INTERNAL void knc_hex(const void *in, size_t n, char *out);

#endif
