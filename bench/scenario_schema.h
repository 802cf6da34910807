/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to the scenario loader (bench/scenario_load.c, bench/scenario_schema.c): the loader's
 * state, the schema's descriptor rows, and the generic readers of YAML values into the model,
 * each of which reports what is wrong with the file's line and column.
 */
#ifndef DSRLAB_BENCH_SCENARIO_SCHEMA_H
#define DSRLAB_BENCH_SCENARIO_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "bench/scenario.h"
#include "bench/scenario_diag.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SC_GOT_MAX    40 /* characters of a bad value quoted back */
#define SC_KEYS_MAX   16 /* keys a mapping of the schema may have */

struct loader {
	const char *file;
	const char *text;
	size_t len;
	yaml_document_t doc;
	struct scenario *sc;
	struct sc_diags diags;
	bool nodes_ok; /* 'nodes' was a mapping, so references to nodes can be checked */
	bool role_ok[SC_MAX_NODES];
	const yaml_node_t *host_ref[SC_MAX_NODES]; /* containers' 'host' values */
	bool links_given;
	const yaml_node_t *lb_ref[SC_MAX_LBS]; /* each balancer node as written */
	bool traffic_unnamed; /* some traffic has no usable name: references are not checked */
	bool vip_unparsed; /* some VIP is unknown, so 'encapsulated' cannot look VIPs up */
	bool pools_ready;
	__u32 pool[SC_MAX_VIPS]; /* VIP pools after the phases so far: a bit per node index */
	int last_at_ms, last_at_line; /* the last phase kept, for time order */
};

/*
 * A key of a mapping as the schema knows it: one descriptor row. A typed row says where its
 * value goes in the mapping's struct (offset), its range and its default, and load_keys()
 * reads it; KT_CUSTOM rows are read by the mapping's own loader (references, addresses,
 * lists, values that depend on other keys).
 */
enum key_type {
	KT_CUSTOM,
	KT_INT, /* an int in [min, max] */
	KT_BOOL,
	KT_TEXT, /* a string, into a char array of max bytes */
	KT_ENUM, /* one of names[0..max), its index into an int-sized enum */
};

struct key {
	const char *name;
	bool required;
	enum key_type type;
	size_t offset;
	long min, max;
	bool has_default;
	long def; /* KT_INT: the value when the key is not given */
	unsigned int only; /* non-zero: read only for these kinds of the mapping (a bit each) */
	const char *const *names; /* KT_ENUM: the values, in the order of the enum */
};

/* clang-format off */
#define KEY(name, required) { name, required, KT_CUSTOM, 0, 0, 0, false, 0, 0, NULL }
#define KEY_INT(name, st, field, lo, hi) \
	{ name, false, KT_INT, offsetof(st, field), lo, hi, false, 0, 0, NULL }
#define KEY_INT_REQ(name, st, field, lo, hi) \
	{ name, true, KT_INT, offsetof(st, field), lo, hi, false, 0, 0, NULL }
#define KEY_INT_DEF(name, st, field, lo, hi, d) \
	{ name, false, KT_INT, offsetof(st, field), lo, hi, true, d, 0, NULL }
/* An int read only for the kinds in the mask `only` (load_keys_of()). */
#define KEY_INT_ONLY(name, st, field, lo, hi, kinds) \
	{ name, false, KT_INT, offsetof(st, field), lo, hi, false, 0, kinds, NULL }
/* The same with a default for those kinds (key_defaults_of()). */
#define KEY_INT_DEF_ONLY(name, st, field, lo, hi, d, kinds) \
	{ name, false, KT_INT, offsetof(st, field), lo, hi, true, d, kinds, NULL }
#define KEY_BOOL(name, st, field) \
	{ name, false, KT_BOOL, offsetof(st, field), 0, 0, false, 0, 0, NULL }
#define KEY_TEXT(name, required, st, field) \
	{ name, required, KT_TEXT, offsetof(st, field), 0, sizeof(((st *)0)->field), false, 0, 0, \
	  NULL }
/* 0, and a compile error unless the field is int-sized (an enum that get_enum() writes) */
#define INT_SIZED(st, field) (0 * sizeof(char[sizeof(((st *)0)->field) == sizeof(int) ? 1 : -1]))
/* An enum field from one of n names, in the enum's order. */
#define KEY_ENUM(name, required, st, field, names, n) \
	{ name, required, KT_ENUM, offsetof(st, field) + INT_SIZED(st, field), 0, n, false, 0, 0, \
	  names }
/* clang-format on */

struct field {
	const char *name;
	const yaml_node_t *key; /* NULL: not given (list items: the list's key) */
	const yaml_node_t *val;
};

/* Loads one item of a list; increments the list's count when the item is kept. */
typedef void (*item_loader)(struct loader *ld, const struct field *item, void *ctx);

__attribute__((format(printf, 3, 4))) void diag_mark(struct loader *ld, yaml_mark_t m,
						     const char *fmt, ...);
__attribute__((format(printf, 3, 4))) void diag(struct loader *ld, const yaml_node_t *n,
						const char *fmt, ...);
int name_index(const char *s, const char *const *names, int n);
void join_names(const char *const *names, int n, char *buf, size_t size);
const yaml_node_t *doc_node(struct loader *ld, int index);
const char *scalar_text(const yaml_node_t *n);
bool is_empty_seq(const yaml_node_t *n);
bool is_empty_map(const yaml_node_t *n);
bool is_null(const yaml_node_t *n);
const char *describe(const yaml_node_t *n, char *buf, size_t size);
const yaml_node_t *field_at(const struct field *f);
struct field item_field(const struct field *list, const yaml_node_t *item);
bool want_type(struct loader *ld, const struct field *f, yaml_node_type_t type, const char *what);
bool want_map(struct loader *ld, const struct field *f);
void pair_nodes(struct loader *ld, const yaml_node_pair_t *p, const yaml_node_t **k,
		const yaml_node_t **v);
void unknown_key(struct loader *ld, const yaml_node_t *k, const char *noun, const char *where,
		 const char *const *names, int n);
bool key_is_scalar(struct loader *ld, const yaml_node_t *k, const char *where);
void map_fields(struct loader *ld, const yaml_node_t *map, const char *where,
		const struct key *keys, int nkeys, struct field *out);
const char *get_scalar(struct loader *ld, const struct field *f, const char *expected);
bool get_text(struct loader *ld, const struct field *f, char *buf, size_t size);
bool get_int(struct loader *ld, const struct field *f, long min, long max, int *out);
bool get_bool(struct loader *ld, const struct field *f, bool *out);
void key_defaults(const struct key *keys, int n, void *base);
/* The defaults of the rows that apply to a mapping of one kind (its bit). */
void key_defaults_of(const struct key *keys, int n, void *base, unsigned int kind);
bool load_keys(struct loader *ld, const struct field *f, const struct key *keys, int n, void *base);
/* The same for a mapping of one kind (its bit): rows `only` for other kinds are skipped. */
bool load_keys_of(struct loader *ld, const struct field *f, const struct key *keys, int n,
		  void *base, unsigned int kind);
/*
 * One typed row, i, when the file gives it (true when it does not): for a key whose check
 * follows it, or that applies only when another key is given.
 */
bool load_key(struct loader *ld, const struct field *f, const struct key *keys, int i, void *base);
bool get_enum(struct loader *ld, const struct field *f, const char *const *names, int n, int *out);
bool get_addr(struct loader *ld, const struct field *f, struct ip_addr *out);
bool get_prefix(struct loader *ld, const struct field *f, struct ip_prefix *out);
bool get_endpoint(struct loader *ld, const struct field *f, struct endpoint *out);
struct sc_mark mark_of(const yaml_node_t *n);
bool too_many(struct loader *ld, const yaml_node_t *item, int n, int max, const char *what);
void load_list(struct loader *ld, const struct field *f, const int *count, int max,
	       const char *what, item_loader load, void *ctx);

/* bench/scenario_check.c: the checks that need the whole typed model, at its marks. */
void scenario_check(const struct scenario *sc, struct sc_diags *d);

#endif
