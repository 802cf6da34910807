// SPDX-License-Identifier: GPL-2.0
/*
 * The scenario schema's machinery: YAML nodes, a mapping's keys sorted by its descriptor
 * rows (unknown, duplicate and missing keys reported), typed rows read into the model,
 * scalar values (integers, booleans, names, addresses, prefixes, endpoints) and lists. Every
 * mistake becomes a diagnostic at the node that holds it (bench/scenario_diag.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/scenario_schema.h"
#include "common/flow.h"

/* Diagnostics (bench/scenario_diag.c) */

__attribute__((format(printf, 3, 4))) void diag_mark(struct loader *ld, yaml_mark_t m,
						     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sc_diags_vadd(&ld->diags, m.line + 1, m.column + 1, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 3, 4))) void diag(struct loader *ld, const yaml_node_t *n,
						const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sc_diags_vadd(&ld->diags, n->start_mark.line + 1, n->start_mark.column + 1, fmt, ap);
	va_end(ap);
}

int name_index(const char *s, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

void join_names(const char *const *names, int n, char *buf, size_t size)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && off < size; i++)
		off += snprintf(buf + off, size - off, "%s%s", i ? ", " : "", names[i]);
}

/* YAML nodes */

const yaml_node_t *doc_node(struct loader *ld, int index)
{
	return yaml_document_get_node(&ld->doc, index);
}

const char *scalar_text(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

bool is_empty_seq(const yaml_node_t *n)
{
	return n->type == YAML_SEQUENCE_NODE &&
	       n->data.sequence.items.start == n->data.sequence.items.top;
}

bool is_empty_map(const yaml_node_t *n)
{
	return n->type == YAML_MAPPING_NODE &&
	       n->data.mapping.pairs.start == n->data.mapping.pairs.top;
}

bool is_null(const yaml_node_t *n)
{
	const char *s;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	s = scalar_text(n);
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

/* What the file gave, for "got ..." in messages. */
const char *describe(const yaml_node_t *n, char *buf, size_t size)
{
	if (is_null(n))
		return "nothing";
	switch (n->type) {
	case YAML_SCALAR_NODE:
		snprintf(buf, size, "'%.*s%s'", SC_GOT_MAX, scalar_text(n),
			 strlen(scalar_text(n)) > SC_GOT_MAX ? "..." : "");
		return buf;
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

/* Where to point for a problem with a value: an empty value's mark is past its key. */
const yaml_node_t *field_at(const struct field *f)
{
	return f->key && is_null(f->val) ? f->key : f->val;
}

struct field item_field(const struct field *list, const yaml_node_t *item)
{
	return (struct field){ .name = list->name, .key = list->key, .val = item };
}

bool want_type(struct loader *ld, const struct field *f, yaml_node_type_t type, const char *what)
{
	char got[SC_GOT_MAX + 8];

	if (f->val->type == type && !is_null(f->val))
		return true;
	diag(ld, field_at(f), "expected %s for %s, got %s",
	     type == YAML_MAPPING_NODE ? "a mapping" : "a list", what,
	     describe(f->val, got, sizeof(got)));
	return false;
}

bool want_map(struct loader *ld, const struct field *f)
{
	char what[64];

	snprintf(what, sizeof(what), "'%s'", f->name);
	return want_type(ld, f, YAML_MAPPING_NODE, what);
}

static bool want_seq(struct loader *ld, const struct field *f)
{
	char what[64];

	snprintf(what, sizeof(what), "'%s'", f->name);
	return want_type(ld, f, YAML_SEQUENCE_NODE, what);
}

/* The key and value nodes of a mapping's pair. */
void pair_nodes(struct loader *ld, const yaml_node_pair_t *p, const yaml_node_t **k,
		const yaml_node_t **v)
{
	*k = doc_node(ld, p->key);
	*v = doc_node(ld, p->value);
}

void unknown_key(struct loader *ld, const yaml_node_t *k, const char *noun, const char *where,
		 const char *const *names, int n)
{
	char sugg[SC_NAME_MAX * 2 + 32];

	diag(ld, k, "unknown %s '%.*s' in %s%s", noun, SC_GOT_MAX, scalar_text(k), where,
	     sc_suggest_from(scalar_text(k), names, n, sugg, sizeof(sugg)));
}

bool key_is_scalar(struct loader *ld, const yaml_node_t *k, const char *where)
{
	char got[SC_GOT_MAX + 8];

	if (k->type == YAML_SCALAR_NODE)
		return true;
	diag(ld, k, "keys in %s must be names, got %s", where, describe(k, got, sizeof(got)));
	return false;
}

/*
 * Sort a mapping's pairs into out[] by the schema's keys; report unknown, duplicate and
 * missing keys. The caller has checked that map is a mapping.
 */
void map_fields(struct loader *ld, const yaml_node_t *map, const char *where,
		const struct key *keys, int nkeys, struct field *out)
{
	const char *names[SC_KEYS_MAX];
	const yaml_node_t *k, *v;
	yaml_node_pair_t *p;
	int i;

	for (i = 0; i < nkeys; i++) {
		out[i] = (struct field){ .name = keys[i].name };
		names[i] = keys[i].name;
	}
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		pair_nodes(ld, p, &k, &v);
		if (!key_is_scalar(ld, k, where))
			continue;
		i = name_index(scalar_text(k), names, nkeys);
		if (i < 0) {
			unknown_key(ld, k, "key", where, names, nkeys);
			continue;
		}
		if (out[i].key) {
			diag(ld, k, "duplicate key '%s' in %s (first given at line %d, column %d)",
			     keys[i].name, where, (int)out[i].key->start_mark.line + 1,
			     (int)out[i].key->start_mark.column + 1);
			continue;
		}
		out[i].key = k;
		out[i].val = v;
	}
	for (i = 0; i < nkeys; i++)
		if (keys[i].required && !out[i].key)
			diag(ld, map, "missing required key '%s' in %s", keys[i].name, where);
}

/* Values */

const char *get_scalar(struct loader *ld, const struct field *f, const char *expected)
{
	char got[SC_GOT_MAX + 8];

	if (f->val->type == YAML_SCALAR_NODE && !is_null(f->val))
		return scalar_text(f->val);
	diag(ld, field_at(f), "expected %s for '%s', got %s", expected, f->name,
	     describe(f->val, got, sizeof(got)));
	return NULL;
}

bool get_text(struct loader *ld, const struct field *f, char *buf, size_t size)
{
	const char *s = get_scalar(ld, f, "a string");

	if (!s)
		return false;
	if (strlen(s) >= size) {
		diag(ld, f->val, "'%s' is too long (%zu characters, at most %zu)", f->name,
		     strlen(s), size - 1);
		return false;
	}
	strcpy(buf, s);
	return true;
}

static bool is_integer(const char *s)
{
	if (*s == '-')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

bool get_int(struct loader *ld, const struct field *f, long min, long max, int *out)
{
	const char *s = get_scalar(ld, f, "an integer");
	long v;

	if (!s)
		return false;
	if (!is_integer(s)) {
		diag(ld, f->val, "expected an integer for '%s', got '%.*s'", f->name, SC_GOT_MAX,
		     s);
		return false;
	}
	errno = 0;
	v = strtol(s, NULL, 10);
	if (errno || v < min || v > max) {
		diag(ld, f->val, "'%s' must be between %ld and %ld, got %.*s", f->name, min, max,
		     SC_GOT_MAX, s);
		return false;
	}
	*out = v;
	return true;
}

bool get_bool(struct loader *ld, const struct field *f, bool *out)
{
	const char *s = get_scalar(ld, f, "true or false");

	if (!s)
		return false;
	if (!strcmp(s, "true") || !strcmp(s, "false")) {
		*out = s[0] == 't';
		return true;
	}
	diag(ld, f->val, "expected true or false for '%s', got '%.*s'", f->name, SC_GOT_MAX, s);
	return false;
}

/* The defaults of a mapping's typed keys, into base (the mapping's struct). */
void key_defaults(const struct key *keys, int n, void *base)
{
	key_defaults_of(keys, n, base, 0);
}

void key_defaults_of(const struct key *keys, int n, void *base, unsigned int kind)
{
	int i;

	for (i = 0; i < n; i++)
		if (keys[i].type == KT_INT && keys[i].has_default &&
		    (!keys[i].only || (keys[i].only & kind)))
			*(int *)((char *)base + keys[i].offset) = keys[i].def;
}

/* Each typed key the file gives, into base; false when one was refused (and said why). */
bool load_keys(struct loader *ld, const struct field *f, const struct key *keys, int n, void *base)
{
	return load_keys_of(ld, f, keys, n, base, 0);
}

/* Row i of a mapping's table, when the file gives it; false when refused (and said why). */
static bool load_row(struct loader *ld, const struct field *f, const struct key *k, void *base)
{
	void *p = (char *)base + k->offset;

	switch (k->type) {
	case KT_INT:
		return get_int(ld, f, k->min, k->max, p);
	case KT_BOOL:
		return get_bool(ld, f, p);
	case KT_TEXT:
		return get_text(ld, f, p, k->max);
	case KT_ENUM:
		return get_enum(ld, f, k->names, k->max, p);
	case KT_CUSTOM:
		break;
	}
	return true;
}

bool load_key(struct loader *ld, const struct field *f, const struct key *keys, int i, void *base)
{
	return !f[i].key || load_row(ld, &f[i], &keys[i], base);
}

bool load_keys_of(struct loader *ld, const struct field *f, const struct key *keys, int n,
		  void *base, unsigned int kind)
{
	bool ok = true;
	int i;

	for (i = 0; i < n; i++)
		if (!keys[i].only || (keys[i].only & kind))
			ok &= load_key(ld, f, keys, i, base);
	return ok;
}

bool get_enum(struct loader *ld, const struct field *f, const char *const *names, int n, int *out)
{
	char valid[128], sugg[SC_NAME_MAX * 2 + 32], expected[160];
	const char *s;
	int i;

	join_names(names, n, valid, sizeof(valid));
	snprintf(expected, sizeof(expected), "one of %s", valid);
	s = get_scalar(ld, f, expected);
	if (!s)
		return false;
	i = name_index(s, names, n);
	if (i >= 0) {
		*out = i;
		return true;
	}
	sc_suggest_from(s, names, n, sugg, sizeof(sugg));
	if (sugg[0])
		diag(ld, f->val, "invalid value '%.*s' for '%s'%s (expected one of: %s)",
		     SC_GOT_MAX, s, f->name, sugg, valid);
	else
		diag(ld, f->val, "invalid value '%.*s' for '%s'; expected one of: %s", SC_GOT_MAX,
		     s, f->name, valid);
	return false;
}

/* Is the part of s before '/' an address? For saying which half of "a/len" is wrong. */
static bool head_is_addr(const char *s, struct ip_addr *out)
{
	const char *slash = strchr(s, '/');
	char buf[ADDR_STRLEN];

	if (!slash || slash - s >= ADDR_STRLEN)
		return false;
	memcpy(buf, s, slash - s);
	buf[slash - s] = '\0';
	return !addr_parse(buf, out);
}

bool get_addr(struct loader *ld, const struct field *f, struct ip_addr *out)
{
	const char *s = get_scalar(ld, f, "an IP address");

	if (!s)
		return false;
	if (!addr_parse(s, out))
		return true;
	if (head_is_addr(s, out))
		diag(ld, f->val, "'%s' takes a single address, without a prefix length; got '%s'",
		     f->name, s);
	else
		diag(ld, f->val, "invalid IP address '%.*s' for '%s'", SC_GOT_MAX, s, f->name);
	return false;
	return true;
}

bool get_prefix(struct loader *ld, const struct field *f, struct ip_prefix *out)
{
	const char *s = get_scalar(ld, f, "an address with a prefix length");

	if (!s)
		return false;
	if (!prefix_parse(s, out, true))
		return true;
	if (!prefix_parse(s, out, false))
		diag(ld, f->val, "address '%s' in '%s' needs a prefix length, like %s/%d", s,
		     f->name, s, out->addr.family == FAM_IPV4 ? 24 : 64);
	else if (head_is_addr(s, &out->addr))
		diag(ld, f->val, "prefix length in '%s' must be between 0 and %d", s,
		     out->addr.family == FAM_IPV4 ? 32 : 128);
	else
		diag(ld, f->val,
		     "invalid address '%.*s' in '%s'; expected ADDRESS/LENGTH, like 10.0.0.2/24",
		     SC_GOT_MAX, s, f->name);
	return false;
}

bool get_endpoint(struct loader *ld, const struct field *f, struct endpoint *out)
{
	const char *s = get_scalar(ld, f, "an endpoint ADDRESS:PORT/PROTO");

	if (!s)
		return false;
	if (!endpoint_parse(s, out))
		return true;
	if (!strchr(s, '/') && strlen(s) < ADDR_STRLEN)
		diag(ld, f->val, "endpoint '%s' for '%s' lacks a protocol; write %s/tcp or %s/udp",
		     s, f->name, s, s);
	else
		diag(ld, f->val,
		     "invalid endpoint '%.*s' for '%s'; expected ADDRESS:PORT/PROTO, like "
		     "10.100.0.1:80/tcp or [2001:db8::1]:80/udp",
		     SC_GOT_MAX, s, f->name);
	return false;
}

struct sc_mark mark_of(const yaml_node_t *n)
{
	return (struct sc_mark){ .line = n->start_mark.line + 1, .col = n->start_mark.column + 1 };
}

bool too_many(struct loader *ld, const yaml_node_t *item, int n, int max, const char *what)
{
	if (n < max)
		return false;
	diag(ld, item, "too many %s (at most %d)", what, max);
	return true;
}

/* A list: each item through its loader, up to the limit. */
void load_list(struct loader *ld, const struct field *f, const int *count, int max,
	       const char *what, item_loader load, void *ctx)
{
	yaml_node_item_t *it;
	const yaml_node_t *n;

	if (!want_seq(ld, f))
		return;
	for (it = f->val->data.sequence.items.start; it < f->val->data.sequence.items.top; it++) {
		struct field item;

		n = doc_node(ld, *it);
		if (too_many(ld, n, *count, max, what))
			break;
		item = item_field(f, n);
		load(ld, &item, ctx);
	}
}
