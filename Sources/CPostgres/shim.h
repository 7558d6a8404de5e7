// CPostgres: libpq, PostgreSQL's own client library (Debian 12: libpq5 15), for the store's
// PostgreSQL backend. Its calls block, as the store's SQLite calls do, so repositories keep one
// synchronous API on both backends.
#ifndef KINORA_CPOSTGRES_SHIM_H
#define KINORA_CPOSTGRES_SHIM_H

#include <libpq-fe.h>

#endif
