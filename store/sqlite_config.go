package store

// SQLite's memory statistics are switched off before the first connection
// opens. With them on (SQLite's default, SQLITE_DEFAULT_MEMSTATUS=1), every
// allocation inside SQLite takes one process-wide mutex to count itself:
// the writer connection's flusher and the lookup connection, on two
// threads, then contend for it on every page fetch and statement, about
// 2.4 % of a replay's CPU in a perf profile (pthread_mutex_lock/unlock).
// Nothing here reads the statistics (sqlite3_memory_used, a soft heap
// limit). The library is go-sqlite3's, linked into the same binary; only
// the prototype is declared here (sqlite3_config is variadic, so a small C
// wrapper calls it).

/*
extern int sqlite3_config(int, ...);

// SQLITE_CONFIG_MEMSTATUS is 9 in sqlite3.h.
static int wardwatchMemstatusOff(void) { return sqlite3_config(9, 0); }
*/
import "C"

// memstatusOff is sqlite3_config's result: 0 (SQLITE_OK), or 21
// (SQLITE_MISUSE) when SQLite was initialized before this package (a
// connection opened first): statistics stay on, which costs only speed.
var memstatusOff = int(C.wardwatchMemstatusOff())
