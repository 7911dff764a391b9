#ifndef ENGAGE_CMONGOC_SHIM_H
#define ENGAGE_CMONGOC_SHIM_H
// The one header of the libmongoc/libbson system library.
// Only what Swift cannot call directly belongs here, as static inline functions.
#include <mongoc/mongoc.h>

// The oldest libmongoc EngageML is built and tested with (Debian 12's libmongoc-dev); older ones
// lack APIs and fixes it relies on. scripts/bootstrap.sh checks the same with pkg-config.
#if !MONGOC_CHECK_VERSION(1, 23, 0)
#error "EngageML needs libmongoc 1.23 or newer: install a newer libmongoc-dev"
#endif

/// Length in bytes of a document (`bson_t.len`; the struct is opaque to Swift).
static inline uint32_t engage_bson_length(const bson_t *document) {
    return document->len;
}

#endif
