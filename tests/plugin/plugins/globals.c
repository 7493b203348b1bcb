/*
 * globals.c — state that lives in the instance, and the init function.
 * Built with __wasm_call_ctors exported, so the host must call it once,
 * right after instantiation, before the first plugin function.
 *
 *   next         counter + 1, output in decimal. The constructor sets the
 *                counter to 100, so calls on one instance give 101, 102, ...
 *                (1, 2, ... would mean the constructor never ran)
 *   ctor_runs    how many times the constructor ran ("1")
 */
#include "rf_test_pdk.h"

/* volatile: otherwise the compiler runs the constructor itself at build time
 * (it only stores constants) and leaves __wasm_call_ctors empty. */
static volatile uint64_t counter;
static volatile uint64_t ctor_count;

__attribute__((constructor)) static void start_counter(void)
{
    counter = 100;
    ctor_count = ctor_count + 1;
}

static int32_t output_number(uint64_t v)
{
    pdk_text t = { .len = 0 };
    pdk_text_u64(&t, v);
    pdk_output(t.buf, t.len);
    return 0;
}

RF_EXPORT(next)
{
    counter = counter + 1;
    return output_number(counter);
}

RF_EXPORT(ctor_runs)
{
    return output_number(ctor_count);
}
