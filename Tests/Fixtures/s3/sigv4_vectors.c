/*
 * SigV4 and URL building of storage-s3 against the worked examples of the AWS documentation
 * ("Signature Calculations for the Authorization Header" and "Query String Authentication"),
 * which use virtual-hosted style, plus path-style URI encoding of awkward keys.
 * Built by the S3 tests with cc; includes the plugin's sources directly. Exit 0 = all hold.
 */
#include "../../../Plugins/storage-s3/util.c"
#include "../../../SDK/c/kit/knc_json.c"
#include "../../../SDK/c/kit/knc_text.c"
#include "../../../Plugins/storage-s3/sigv4.c"
#include "../../../Plugins/storage-s3/libs.c"

#include <stdio.h>

static int failures;

static void check(const char *what, const char *got, const char *want) {
    if (got && strcmp(got, want) == 0) { printf("ok   %s\n", what); return; }
    printf("FAIL %s\n  got  %s\n  want %s\n", what, got ? got : "(null)", want);
    failures++;
}

static const char *sig_of(const char *auth) { const char *s = auth ? strstr(auth, "Signature=") : NULL; return s ? s + 10 : NULL; }

int main(void) {
    const char *missing = NULL;
    if (!s3_libs_load(&missing)) {
        printf("cannot load %s\n", missing);
        return 1;
    }
    const int64_t t = 1369353600; /* 20130524T000000Z */
    s3_config aws = {.https = true, .endpoint_host = "s3.amazonaws.com", .region = "us-east-1",
                     .bucket = "examplebucket", .prefix = "", .path_style = false,
                     .access_key_id = "AKIAIOSFODNN7EXAMPLE",
                     .secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"};
    s3_signed s;

    s3_req get = {.method = "GET", .key = "test.txt", .payload_hash = S3_EMPTY_SHA256};
    get.headers[get.nheaders++] = (s3_kv){"range", "bytes=0-9"};
    s3_sign(&aws, &get, t, &s);
    check("GET object: URL", s.url.p, "https://examplebucket.s3.amazonaws.com/test.txt");
    check("GET object: Host", s.host.p, "examplebucket.s3.amazonaws.com");
    check("GET object: Authorization", s.authorization.p,
          "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
          "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
          "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    s3_signed_free(&s);

    char sha[65];
    s3_sha256_hex("Welcome to Amazon S3.", 21, sha);
    check("PUT object: payload hash", sha, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    s3_req put = {.method = "PUT", .key = "test$file.text", .payload_hash = sha};
    put.headers[put.nheaders++] = (s3_kv){"date", "Fri, 24 May 2013 00:00:00 GMT"};
    put.headers[put.nheaders++] = (s3_kv){"x-amz-storage-class", "REDUCED_REDUNDANCY"};
    s3_sign(&aws, &put, t, &s);
    check("PUT object: URL ($ encoded)", s.url.p, "https://examplebucket.s3.amazonaws.com/test%24file.text");
    check("PUT object: signature", sig_of(s.authorization.p), "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
    s3_signed_free(&s);

    s3_req lifecycle = {.method = "GET", .key = NULL, .payload_hash = S3_EMPTY_SHA256};
    lifecycle.query[lifecycle.nquery++] = (s3_kv){"lifecycle", ""};
    s3_sign(&aws, &lifecycle, t, &s);
    check("GET bucket lifecycle: URL", s.url.p, "https://examplebucket.s3.amazonaws.com/?lifecycle=");
    check("GET bucket lifecycle: signature", sig_of(s.authorization.p), "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
    s3_signed_free(&s);

    s3_req list = {.method = "GET", .key = NULL, .payload_hash = S3_EMPTY_SHA256};
    list.query[list.nquery++] = (s3_kv){"prefix", "J"}; /* given out of order: sorting is ours */
    list.query[list.nquery++] = (s3_kv){"max-keys", "2"};
    s3_sign(&aws, &list, t, &s);
    check("GET bucket list: URL (sorted query)", s.url.p, "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J");
    check("GET bucket list: signature", sig_of(s.authorization.p), "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
    s3_signed_free(&s);

    knc_strbuf url = {0};
    s3_presign_url(&aws, "GET", "test.txt", 86400, t, &url);
    check("presigned GET", url.p,
          "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
          "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
          "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
          "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
    free(url.p);

    /* Path-style, custom endpoint, awkward keys: each byte encoded once, '/' kept. */
    s3_config local = {.https = false, .endpoint_host = "127.0.0.1:7480", .region = "us-east-1",
                       .bucket = "kinora", .prefix = "", .path_style = true,
                       .access_key_id = "AK", .secret_access_key = "SK"};
    s3_req odd = {.method = "GET", .key = "media/a b/c+d/\xc3\xa9t\xc3\xa9 (1)~_.-!*'", .payload_hash = S3_EMPTY_SHA256};
    s3_sign(&local, &odd, t, &s);
    check("path-style URL of an awkward key", s.url.p,
          "http://127.0.0.1:7480/kinora/media/a%20b/c%2Bd/%C3%A9t%C3%A9%20%281%29~_.-%21%2A%27");
    check("path-style Host", s.host.p, "127.0.0.1:7480");
    s3_signed_free(&s);
    s3_req q = {.method = "GET", .key = NULL, .payload_hash = S3_EMPTY_SHA256};
    q.query[q.nquery++] = (s3_kv){"prefix", "a b/+é"};
    q.query[q.nquery++] = (s3_kv){"list-type", "2"};
    s3_sign(&local, &q, t, &s);
    check("path-style bucket URL with encoded, sorted query", s.url.p,
          "http://127.0.0.1:7480/kinora?list-type=2&prefix=a%20b%2F%2B%C3%A9");
    s3_signed_free(&s);
    local.path_style = false;
    s3_sign(&local, &odd, t, &s);
    check("virtual-hosted URL on a custom endpoint", s.url.p,
          "http://kinora.127.0.0.1:7480/media/a%20b/c%2Bd/%C3%A9t%C3%A9%20%281%29~_.-%21%2A%27");
    s3_signed_free(&s);
    local.session_token = "TOKEN/+=";
    url = (knc_strbuf){0};
    s3_presign_url(&local, "PUT", "k", 60, t, &url);
    check("presigned URL carries the session token", strstr(url.p, "X-Amz-Security-Token=TOKEN%2F%2B%3D") ? "yes" : "no", "yes");
    free(url.p);

    char md5[25];
    s3_md5_base64("", 0, md5);
    check("Content-MD5 of nothing", md5, "1B2M2Y8AsgTpgAmY7PhCfg==");
    printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
