/*
 * logs.c — the log_* imports and get_log_level. The messages are NOT
 * pre-filtered here (unlike a PDK), so the tests see the host's own filter.
 *
 *   log_all         logs "<level> message from logs" at each of the five
 *                   levels, then outputs get_log_level() in decimal
 *                   (0 trace ... 4 error, 2147483647 off)
 *   log_empty       log_warn(0): an empty message; outputs "done"
 *   log_bad_handle  log_info(999999): not a block -> the call fails
 */
#include "rf_test_pdk.h"

RF_EXPORT(log_all)
{
    ex_log_trace(pdk_new_str("trace message from logs"));
    ex_log_debug(pdk_new_str("debug message from logs"));
    ex_log_info(pdk_new_str("info message from logs"));
    ex_log_warn(pdk_new_str("warn message from logs"));
    ex_log_error(pdk_new_str("error message from logs"));
    pdk_text t = { .len = 0 };
    pdk_text_u64(&t, (uint64_t)(uint32_t)ex_get_log_level());
    pdk_output(t.buf, t.len);
    return 0;
}

RF_EXPORT(log_empty)
{
    ex_log_warn(0);
    pdk_output_str("done");
    return 0;
}

RF_EXPORT(log_bad_handle)
{
    ex_log_info(999999);
    pdk_output_str("log_info(999999) returned");
    return 0;
}
