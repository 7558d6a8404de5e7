/* See include/kinora_pq.h. */
#define _GNU_SOURCE
#include "kinora_pq.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static kinora_pq_api api;
static const kinora_pq_api *loaded;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];

static void load_pq(void) {
    void *handle = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        snprintf(load_error, sizeof load_error, "libpq.so.5 could not be loaded (install libpq5): %s", dlerror());
        return;
    }
#define LOAD(field, name)                                                          \
    do {                                                                           \
        *(void **)(&api.field) = dlsym(handle, name);                              \
        if (!api.field) {                                                          \
            snprintf(load_error, sizeof load_error, "libpq.so.5 lacks %s", name);  \
            return;                                                                \
        }                                                                          \
    } while (0)
    LOAD(connectdb_params, "PQconnectdbParams");
    LOAD(status, "PQstatus");
    LOAD(error_message, "PQerrorMessage");
    LOAD(finish, "PQfinish");
    LOAD(server_version, "PQserverVersion");
    LOAD(transaction_status, "PQtransactionStatus");
    LOAD(exec_params, "PQexecParams");
    LOAD(exec, "PQexec");
    LOAD(result_status, "PQresultStatus");
    LOAD(result_error_field, "PQresultErrorField");
    LOAD(result_error_message, "PQresultErrorMessage");
    LOAD(clear, "PQclear");
    LOAD(cmd_tuples, "PQcmdTuples");
    LOAD(ntuples, "PQntuples");
    LOAD(nfields, "PQnfields");
    LOAD(fname, "PQfname");
    LOAD(ftype, "PQftype");
    LOAD(getisnull, "PQgetisnull");
    LOAD(getvalue, "PQgetvalue");
    LOAD(socket, "PQsocket");
    LOAD(consume_input, "PQconsumeInput");
    LOAD(notifies, "PQnotifies");
    LOAD(freemem, "PQfreemem");
#undef LOAD
    loaded = &api;
}

const kinora_pq_api *kinora_pq_load(char *error, size_t capacity) {
    pthread_once(&load_once, load_pq);
    if (!loaded && error && capacity > 0) {
        strncpy(error, load_error, capacity - 1);
        error[capacity - 1] = '\0';
    }
    return loaded;
}
