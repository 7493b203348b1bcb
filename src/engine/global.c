/*
 * global.c — global variables.
 *
 * A global holds one value in slot encoding (runtime.h), so the interpreter's
 * global.get / global.set are plain 8-byte loads and stores. The API side
 * converts to and from rf_value and enforces type and mutability; wasm code
 * needs no checks because validation already did them.
 */
#include "error.h"
#include "runtime_internal.h"

#include <stdlib.h>

rf_global *rf_global_create(rf_store *s, uint8_t type, bool mutable_, uint64_t slot,
                            rf_error *err)
{
    rf_global *g = malloc(sizeof *g);
    if (!g || !rf_store_track(s, RF_OBJ_GLOBAL, g)) {
        free(g);
        rf_error_set(err, RF_ERR_NOMEM, RF_NO_OFFSET, RF_NO_FUNC,
                     "out of memory allocating a global");
        return NULL;
    }
    g->value = slot;
    g->type = type;
    g->mutable_ = mutable_;
    g->store = s;
    return g;
}

/* A value may go into a global of type `type` in store `s`. */
static bool value_fits(const rf_store *s, rf_valtype type, rf_value v)
{
    if (v.type != type)
        return false;
    if (type == RF_FUNCREF && v.of.ref && ((const rf_func *)v.of.ref)->store != s)
        return false;
    return true;
}

rf_global *rf_global_new(rf_store *s, rf_valtype type, bool mutable_, rf_value init,
                         rf_error *err)
{
    rf_error_clear(err);
    if (!s) {
        rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC, "rf_global_new: store is NULL");
        return NULL;
    }
    if (!rf_valtype_known(type)) {
        rf_error_set(err, type == RF_V128 ? RF_ERR_UNSUPPORTED : RF_ERR_ARG, RF_NO_OFFSET,
                     RF_NO_FUNC, "a global cannot have type %s", rf_valtype_name(type));
        return NULL;
    }
    if (init.type != type) {
        rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC,
                     "global of type %s initialised with a value of type %s",
                     rf_valtype_name(type), rf_valtype_name(init.type));
        return NULL;
    }
    if (!value_fits(s, type, init)) {
        rf_error_set(err, RF_ERR_ARG, RF_NO_OFFSET, RF_NO_FUNC,
                     "global initialised with a function of another store");
        return NULL;
    }
    return rf_global_create(s, (uint8_t)type, mutable_, rf_value_to_slot(init), err);
}

rf_value rf_global_get(const rf_global *g)
{
    if (!g)
        return rf_val_i32(0);
    return rf_slot_to_value(g->type, g->value);
}

bool rf_global_set(rf_global *g, rf_value v)
{
    if (!g || !g->mutable_ || !value_fits(g->store, (rf_valtype)g->type, v))
        return false;
    g->value = rf_value_to_slot(v);
    return true;
}
