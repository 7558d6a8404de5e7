#ifndef KINORA_PQ_H
#define KINORA_PQ_H

/* libpq, PostgreSQL's client library, for the store's PostgreSQL backend: its header gives the
 * types and constants at build time; the library itself (libpq.so.5) is found at run time with
 * dlopen, on first use. A daemon on SQLite, the default, never maps libpq or what it links
 * (TLS, Kerberos, LDAP: about 5.5 MiB of resident memory when linked).
 *
 * The functions are libpq's own, called through the table `kinora_pq_load` returns. They block,
 * as the store's SQLite calls do; a connection is used by one thread at a time. */

#include <stddef.h>
#include <postgresql/libpq-fe.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kinora_pq_api {
    __typeof__(&PQconnectdbParams) connectdb_params;
    __typeof__(&PQstatus) status;
    __typeof__(&PQerrorMessage) error_message;
    __typeof__(&PQfinish) finish;
    __typeof__(&PQserverVersion) server_version;
    __typeof__(&PQtransactionStatus) transaction_status;
    __typeof__(&PQexecParams) exec_params;
    __typeof__(&PQexec) exec;
    __typeof__(&PQresultStatus) result_status;
    __typeof__(&PQresultErrorField) result_error_field;
    __typeof__(&PQresultErrorMessage) result_error_message;
    __typeof__(&PQclear) clear;
    __typeof__(&PQcmdTuples) cmd_tuples;
    __typeof__(&PQntuples) ntuples;
    __typeof__(&PQnfields) nfields;
    __typeof__(&PQfname) fname;
    __typeof__(&PQftype) ftype;
    __typeof__(&PQgetisnull) getisnull;
    __typeof__(&PQgetvalue) getvalue;
    /* LISTEN/NOTIFY: events between nodes. */
    __typeof__(&PQsocket) socket;
    __typeof__(&PQconsumeInput) consume_input;
    __typeof__(&PQnotifies) notifies;
    __typeof__(&PQfreemem) freemem;
} kinora_pq_api;

/* The table, loaded once (thread-safe); NULL when libpq.so.5 cannot be loaded or lacks a
 * function, with the reason in `error` (`capacity` bytes, NUL-terminated). */
const kinora_pq_api *kinora_pq_load(char *error, size_t capacity);

#ifdef __cplusplus
}
#endif

#endif
