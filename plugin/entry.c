/*
 * The one exported symbol (plugin/fls.map): a static, sized, versioned function table. Members are only
 * appended; abi_minor counts the appends (docs/abi.md).
 */
#include <stddef.h>

#include "fls/fls_plugin.h"
#include "plugin/result.h"
#include "plugin/session.h"

static const fls_api api_v1 = {
	.size = sizeof(fls_api),
	.abi_minor = 0,
	.strerror = plg_strerror,
	.version = plg_version,
	.session_new = plg_session_new,
	.session_free = plg_session_free,
	.session_errmsg = plg_session_errmsg,
	.screen_memory = plg_screen_memory,
	.screen_file = plg_screen_file,
	.session_stats = plg_session_stats,
	.result_str = plg_result_str,
	.result_num = plg_result_num,
	.result_copy = plg_result_copy,
	.result_free = plg_result_free,
	.record_outcome = plg_record_outcome,
};

FLS_EXPORT const fls_api *fls_plugin_get_api(uint32_t abi_major)
{
	return abi_major == FLS_ABI_MAJOR ? &api_v1 : NULL;
}
