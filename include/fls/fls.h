/*
 * libfls: fracture-liaison screening from HL7 FHIR R4 XML.
 *
 * Public types of the plugin ABI. Hosts do not link against libfls: they dlopen("libfls.so.1"), look up
 * the one exported symbol declared in fls_plugin.h and call everything through the function table it
 * returns. This header only declares the types that table uses.
 *
 * Conventions (docs/abi.md has the long form):
 *  - Every call returns an fls_status; 0 is success, failures are negative and never renumbered.
 *  - An out parameter (T **out) comes first; on failure *out is set to NULL; the caller frees *out with
 *    the matching *_free, which accepts NULL.
 *  - const char * returned by a getter is borrowed: it lives as long as the object it came from.
 *  - A session is used by one thread at a time; different sessions may be used by different threads at
 *    once. The library keeps no mutable global state and never writes to stdout or stderr.
 *  - Nothing the library reports (error messages, log lines) contains patient-identifiable data.
 *  - Transparent structs (fls_host, fls_config, fls_sink, fls_stats) start with their own size; the
 *    caller sets size = sizeof(struct) as it compiled it, and new members are only ever appended.
 */
#ifndef FLS_FLS_H
#define FLS_FLS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(FLS_BUILDING) && defined(__GNUC__)
#define FLS_EXPORT __attribute__((visibility("default")))
#else
#define FLS_EXPORT
#endif

/** ABI major version: equal to the SONAME major. Bumped only on an ABI break. */
#define FLS_ABI_MAJOR 1u

/** Opaque screening session: configuration, loaded code sets and model, the optional decision store. */
typedef struct fls_session fls_session;
/** Opaque screening result for one patient: extracted facts and the decision made from them. */
typedef struct fls_result fls_result;

/** Status codes. The numbers are ABI: never renumbered, only appended. */
typedef enum fls_status {
	FLS_OK = 0,
	FLS_EINVAL = -1,  /**< invalid argument or configuration */
	FLS_ENOMEM = -2,  /**< allocation failed */
	FLS_EPARSE = -3,  /**< input is not well-formed or not FHIR R4 XML */
	FLS_ELIMIT = -4,  /**< input exceeds a configured limit */
	FLS_ESTORE = -5,  /**< decision store error (SQLite) */
	FLS_ECRYPTO = -6, /**< cryptographic failure: wrong key, tampered record */
	FLS_EIO = -7,     /**< a file could not be opened or read */
	FLS_EDATA = -8,   /**< run-time data (code sets, model coefficients) missing or invalid */
	FLS_EABORT = -9,  /**< the host's callback asked to stop */
	FLS_ETAMPER = -10 /**< the decision store failed verification */
} fls_status;

/** Log levels passed to fls_host.log. */
enum fls_log_level { FLS_LOG_ERROR = 0, FLS_LOG_WARN = 1, FLS_LOG_INFO = 2, FLS_LOG_DEBUG = 3 };

/**
 * Services the host lends to a session. The plugin copies the table at session_new; members a host
 * compiled without (size too small) read as NULL. alloc/free are required; log may be NULL.
 * Messages passed to log never carry patient-identifiable data.
 */
typedef struct fls_host {
	uint32_t size;
	void *user;
	void *(*alloc)(void *user, size_t n);
	void (*free)(void *user, void *p);
	void (*log)(void *user, int level, const char *msg);
} fls_host;

/** How the reader joins resources to patients when screening a list. */
enum fls_order {
	FLS_ORDER_AUTO = 0,       /**< detect patient-contiguous input and stream it; otherwise hold all */
	FLS_ORDER_CONTIGUOUS = 1, /**< host promises patient-contiguous input: release each patient early */
	FLS_ORDER_ANY = 2         /**< hold every patient until the end of the input */
};

/**
 * Session configuration. Zero (or NULL) in any member means its default. Strings are copied.
 * The store key is copied into session memory and wiped (OPENSSL_cleanse) when the session is freed.
 */
typedef struct fls_config {
	uint32_t size;
	const char *data_dir;   /**< holds codes/ and models/; NULL = the installed share/fls */
	const char *codes_dir;  /**< code-set directory; NULL = data_dir/codes */
	const char *model_path; /**< QFracture-2012 coefficients CSV; NULL = data_dir/models/... */
	const char *as_of;      /**< "YYYY-MM-DD" screening date; NULL = today (UTC) */
	uint32_t order;         /**< enum fls_order */
	uint32_t max_depth;     /**< XML nesting depth; default 64 */
	uint64_t max_input_bytes;          /**< in-memory input size; default 256 MiB */
	uint32_t max_string_bytes;         /**< one attribute value or text node; default 64 KiB */
	uint32_t max_resources_per_patient; /**< default 100000 */
	uint64_t max_held_patients;        /**< patients held when input is out of order; default 2000000 */
	const char *store_path;            /**< decision store (SQLite); NULL = no store */
	const unsigned char *store_key;    /**< 32-byte master key for the store */
	size_t store_key_len;
	uint32_t store_batch;              /**< decisions per store transaction; default 1000 */
	/**
	 * 1: append to the store from one background writer thread, started by session_new and joined by
	 * session_free, so that logging overlaps screening (batch work). 0 (default): append on the calling
	 * thread. Either way a screening call returns only when its decisions are committed.
	 */
	uint32_t store_async;
} fls_config;

/** Fields of a result, read with result_str / result_num. The numbers are ABI: only appended. */
typedef enum fls_field {
	FLS_F_PATIENT_ID = 0,     /**< str: Patient.id (or the reference that named the patient) */
	FLS_F_NHS_NUMBER = 1,     /**< str: NHS number, or NULL */
	FLS_F_BIRTH_DATE = 2,     /**< str: YYYY-MM-DD, or NULL */
	FLS_F_SEX = 3,            /**< str: female|male|other|unknown */
	FLS_F_AGE = 4,            /**< num: completed years at the as-of date */
	FLS_F_FLS_PRIORITY = 5,   /**< str: P1|P2|P3|none */
	FLS_F_FLS_REASONS = 6,    /**< str: rule ids joined by '|' (may be empty) */
	FLS_F_FALLS_POPULATION = 7, /**< str: yes|no */
	FLS_F_FALLS_REFERRAL = 8, /**< str: yes|no */
	FLS_F_FALLS_REASONS = 9,  /**< str: rule ids joined by '|' */
	FLS_F_MOF10 = 10,         /**< num: 10-year major osteoporotic fracture risk, percent */
	FLS_F_HIP10 = 11,         /**< num: 10-year hip fracture risk, percent */
	FLS_F_RISK_STATUS = 12,   /**< str: "ok" or why there is no score */
	FLS_F_NOTES = 13,         /**< str: data-quality and worklist note ids joined by '|' */
	FLS_F_LIB_VERSION = 14,   /**< str: library version */
	FLS_F_MODEL_VERSION = 15, /**< str: risk model version */
	FLS_F_CODES_VERSION = 16, /**< str: code-set version */
	FLS_F_AS_OF = 17,         /**< str: YYYY-MM-DD */
	FLS_F_DISCLAIMER = 18,    /**< str: ClinRisk's disclaimer, shown beside every score */
	FLS_F_EXPLANATION = 19,   /**< str: human-readable reasons with their sources, one per line */
	FLS_F_INDEX_FRACTURE_DATE = 20, /**< str: YYYY-MM-DD of the index fracture, or NULL */
	FLS_F_INDEX_FRACTURE_SITE = 21, /**< str: hip|vertebral|pelvis|humerus|wrist|other|unspecified */
	FLS_F_SOURCE = 22,        /**< str: the input's label (file name), never patient data */
	FLS_F_FACTS = 23          /**< str: the extracted facts, one per line, as `fls inspect` prints */
} fls_field;

/** Counters of one session since it was created. */
typedef struct fls_stats {
	uint32_t size;
	uint64_t bytes;              /**< input bytes read */
	uint64_t patients;           /**< patients screened (results delivered) */
	uint64_t patient_resources;  /**< Patient resources read */
	uint64_t resources;          /**< resources read, of every type */
	uint64_t clinical_resources; /**< Condition, Procedure, Observation, MedicationRequest,
	                                  MedicationStatement, Encounter, FamilyMemberHistory */
	uint64_t skipped_resources;  /**< resources of types libfls does not use */
	uint64_t bad_resources;      /**< resources reported as errors and skipped */
	uint64_t orphan_resources;   /**< clinical resources whose patient could not be found */
	uint64_t inputs_failed;      /**< inputs (files, buffers) that could not be read at all */
} fls_stats;

/**
 * Where a screening call delivers its output. on_result is required; the others may be NULL.
 * on_result: res is borrowed for the duration of the call (result_copy keeps it); return 0 to go on,
 *            non-zero to stop screening (the call then returns FLS_EABORT).
 * on_problem: a bad resource or input that was reported, counted and skipped; msg names the input, line
 *            and element, never patient data.
 * on_progress: called now and then with input bytes consumed of the total (0 when unknown).
 */
typedef struct fls_sink {
	uint32_t size;
	void *user;
	int (*on_result)(void *user, const fls_result *res);
	void (*on_problem)(void *user, fls_status st, const char *msg);
	void (*on_progress)(void *user, uint64_t done, uint64_t total, uint64_t patients);
} fls_sink;

#ifdef __cplusplus
}
#endif
#endif /* FLS_FLS_H */
