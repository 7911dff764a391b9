#ifndef ENGAGE_CMONGOC_SHIM_H
#define ENGAGE_CMONGOC_SHIM_H
// The one header of the libmongoc/libbson system library.
// Only what Swift cannot call directly belongs here, as static inline functions.
#include <mongoc/mongoc.h>

/// Length in bytes of a document (`bson_t.len`; the struct is opaque to Swift).
static inline uint32_t engage_bson_length(const bson_t *document) {
    return document->len;
}

#endif
