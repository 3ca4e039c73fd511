/*
 * The decision store's master key on the command line: `--key KEYFILE`, or else a passphrase from
 * the environment (FLS_PASSPHRASE) or typed at a terminal without echo. Shared by `fls screen
 * --store`, `fls log verify` and `fls log export`.
 */
#ifndef FLS_CLI_KEYARG_H
#define FLS_CLI_KEYARG_H

#include "store/store.h"

/*
 * Fill key with the master key for the store at db. keyfile may be NULL (then the passphrase
 * route). readonly: the store must already exist (verify, export); otherwise a new store may be
 * created to hold the passphrase's salt, and a new passphrase is asked for twice. On failure the
 * reason is on stderr, prefixed with prog. Returns a cli_exit status (CLI_OK on success). The
 * caller wipes key with OPENSSL_cleanse when done.
 */
int cli_store_key(unsigned char key[STORE_KEY_BYTES], const char *db, const char *keyfile,
		  int readonly, const char *prog);

/* The cli_exit status for a store failure (tamper and unreadable store 1, wrong key 3, ...). */
int cli_store_exit(fls_status st);

#endif
