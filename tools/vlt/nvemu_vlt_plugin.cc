// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu_vlt_plugin: the `vlt' function attribute (GCC 12 plugin)
 *
 * For every function definition that carries __attribute__((vlt)) the
 * plugin splits the function in three (design/vlt.md, section 2.6):
 *
 *   f.vlt_body   a new static function that receives f's body, parameters
 *                and result unchanged;
 *   f.vlt_entry  void f.vlt_entry(void *frame): calls f.vlt_body with the
 *                arguments found in the frame and stores its result there;
 *   f            packs its arguments into a frame on its own stack, calls
 *                __nvemu_vlt_call(f.vlt_entry, &frame) and returns the
 *                frame's result.
 *
 * The runtime (libnvemu) decides whether the call becomes a transfer onto
 * the DRAM stack (a persistent process) or an ordinary call.  The compiler
 * passes every argument and result as the platform ABI says, so the plugin
 * has no ABI-specific code.
 *
 * The rewrite happens at PLUGIN_PRE_GENERICIZE, on the C front end's
 * GENERIC, before c_genericize() and cgraph_node::finalize_function() run
 * for f; the two new functions are genericized and finalized here the way
 * the front end does it for its own.
 *
 * Refused, with an error naming the function: variadic and unprototyped
 * definitions, nested functions (vlt or inside a vlt function), and the
 * attribute on anything but a function.
 */
#include <gcc-plugin.h>
#include <plugin-version.h>

#include <tree.h>
#include <c-family/c-common.h>
#include <stringpool.h>
#include <attribs.h>
#include <diagnostic-core.h>
#include <function.h>
#include <cgraph.h>
#include <stor-layout.h>
#include <tree-iterator.h>
#include <fold-const.h>

int plugin_is_GPL_compatible;

static const char runtime_name[] = "__nvemu_vlt_call";

static struct plugin_info nvemu_vlt_info = {
	.version = "1",
	.help = "the vlt function attribute of nvemu (design/vlt.md)",
};

static tree vlt_attr_handler(tree *node, tree name, tree, int,
			     bool *no_add_attrs)
{
	if (TREE_CODE(*node) != FUNCTION_DECL) {
		error("%qE attribute applies only to functions", name);
		*no_add_attrs = true;
		return NULL_TREE;
	}
	/* a definition inside a function body (not a block-scope extern) */
	if (decl_function_context(*node) ||
	    (current_function_decl && !DECL_EXTERNAL(*node))) {
		error_at(DECL_SOURCE_LOCATION(*node),
			 "nested function %qD cannot be %qE", *node, name);
		*no_add_attrs = true;
	}
	return NULL_TREE;
}

static struct attribute_spec vlt_attr = {
	"vlt", 0, 0, true, false, false, false, vlt_attr_handler, NULL
};

static void register_attributes(void *, void *)
{
	register_attribute(&vlt_attr);
}

/* A name "<f>.<suffix>" */
static tree suffixed_name(tree fndecl, const char *suffix)
{
	const char *base = IDENTIFIER_POINTER(DECL_NAME(fndecl));
	char *buf = XALLOCAVEC(char, strlen(base) + strlen(suffix) + 2);

	sprintf(buf, "%s.%s", base, suffix);
	return get_identifier(buf);
}

/* Attributes of @fndecl without vlt, plus those that keep a function whole */
static tree split_attributes(tree fndecl)
{
	tree attrs = remove_attribute("vlt", copy_list(DECL_ATTRIBUTES(fndecl)));

	attrs = tree_cons(get_identifier("noipa"), NULL_TREE, attrs);
	attrs = tree_cons(get_identifier("noinline"), NULL_TREE, attrs);
	return tree_cons(get_identifier("noclone"), NULL_TREE, attrs);
}

/* A new static function @name of @type, with an empty outermost block */
static tree new_function(tree fndecl, tree name, tree type)
{
	location_t loc = DECL_SOURCE_LOCATION(fndecl);
	tree decl = build_decl(loc, FUNCTION_DECL, name, type);

	TREE_STATIC(decl) = 1;
	TREE_PUBLIC(decl) = 0;
	DECL_EXTERNAL(decl) = 0;
	TREE_USED(decl) = 1;
	DECL_ARTIFICIAL(decl) = 1;
	DECL_UNINLINABLE(decl) = 1;
	DECL_CONTEXT(decl) = DECL_CONTEXT(fndecl);
	DECL_ATTRIBUTES(decl) = split_attributes(fndecl);
	DECL_SOURCE_LOCATION(decl) = loc;
	return decl;
}

static tree new_result(tree fndecl, tree type)
{
	tree res = build_decl(DECL_SOURCE_LOCATION(fndecl), RESULT_DECL,
			      NULL_TREE, type);

	DECL_ARTIFICIAL(res) = 1;
	DECL_IGNORED_P(res) = 1;
	DECL_CONTEXT(res) = fndecl;
	return res;
}

static tree new_block(tree fndecl, tree vars)
{
	tree block = make_node(BLOCK);

	BLOCK_SUPERCONTEXT(block) = fndecl;
	BLOCK_VARS(block) = vars;
	return block;
}

struct move_ctx {
	tree from, to;
};

static void move_decl(tree decl, const move_ctx *m)
{
	if (DECL_P(decl) && DECL_CONTEXT(decl) == m->from)
		DECL_CONTEXT(decl) = m->to;
	if (TREE_CODE(decl) == TYPE_DECL && TREE_TYPE(decl) &&
	    TYPE_CONTEXT(TREE_TYPE(decl)) == m->from)
		TYPE_CONTEXT(TREE_TYPE(decl)) = m->to;
}

static tree move_r(tree *tp, int *, void *data)
{
	const move_ctx *m = (const move_ctx *)data;
	tree t = *tp;

	if (TREE_CODE(t) == BIND_EXPR)
		for (tree v = BIND_EXPR_VARS(t); v; v = DECL_CHAIN(v))
			move_decl(v, m);
	else if (DECL_P(t))
		move_decl(t, m);
	return NULL_TREE;
}

static void move_blocks(tree block, const move_ctx *m)
{
	for (; block; block = BLOCK_CHAIN(block)) {
		for (tree v = BLOCK_VARS(block); v; v = DECL_CHAIN(v))
			move_decl(v, m);
		move_blocks(BLOCK_SUBBLOCKS(block), m);
	}
}

/* A function defined inside @fndecl's body (GNU C nested functions) */
static tree find_nested_r(tree *tp, int *, void *data)
{
	tree t = *tp;

	if (TREE_CODE(t) == DECL_EXPR &&
	    TREE_CODE(DECL_EXPR_DECL(t)) == FUNCTION_DECL &&
	    decl_function_context(DECL_EXPR_DECL(t)) == (tree)data)
		return t;
	return NULL_TREE;
}

static bool vlt_refused(tree fndecl)
{
	tree type = TREE_TYPE(fndecl);
	location_t loc = DECL_SOURCE_LOCATION(fndecl);
	tree nested;

	if (!prototype_p(type)) {
		error_at(loc, "vlt function %qD has no prototype", fndecl);
		return true;
	}
	if (stdarg_p(type)) {
		error_at(loc, "vlt function %qD is variadic", fndecl);
		return true;
	}
	nested = walk_tree_without_duplicates(&DECL_SAVED_TREE(fndecl),
					      find_nested_r, fndecl);
	if (nested) {
		error_at(EXPR_LOCATION(nested),
			 "vlt function %qD contains nested function %qD",
			 fndecl, DECL_EXPR_DECL(nested));
		return true;
	}
	return false;
}

/* The runtime's declaration: the one <nvemu/vlt.h> made, or our own */
static tree runtime_decl(void)
{
	tree id = get_identifier(runtime_name);
	tree decl = lookup_name(id);
	tree entry_ptr, type;

	if (decl && TREE_CODE(decl) == FUNCTION_DECL)
		return decl;
	entry_ptr = build_pointer_type(build_function_type_list(void_type_node,
								ptr_type_node,
								NULL_TREE));
	type = build_function_type_list(void_type_node, entry_ptr,
					ptr_type_node, NULL_TREE);
	decl = build_fn_decl(runtime_name, type);
	DECL_ARTIFICIAL(decl) = 1;
	return decl;
}

/* The frame's type for a field holding parameter @parm */
static tree field_type(tree parm)
{
	tree type = TYPE_MAIN_VARIANT(TREE_TYPE(parm));

	/* a pointer to a VLA cannot be a member: carried as void * */
	if (variably_modified_type_p(type, NULL_TREE))
		return ptr_type_node;
	return type;
}

/*
 * The frame: one field per parameter, in order, then the result.  Returns
 * the type; *@fields gets the fields in order (ret last, or NULL_TREE).
 */
static tree build_frame(tree fndecl, tree *ret_field, vec<tree> *fields)
{
	location_t loc = DECL_SOURCE_LOCATION(fndecl);
	tree rtype = TREE_TYPE(TREE_TYPE(fndecl));
	tree type = make_node(RECORD_TYPE);
	tree rev = NULL_TREE, f;
	char name[32];
	int i = 0;

	for (tree p = DECL_ARGUMENTS(fndecl); p; p = DECL_CHAIN(p), i++) {
		snprintf(name, sizeof(name), "a%d", i);
		f = build_decl(loc, FIELD_DECL, get_identifier(name),
			       field_type(p));
		fields->safe_push(f);
		DECL_CHAIN(f) = rev;
		rev = f;
	}
	*ret_field = NULL_TREE;
	if (!VOID_TYPE_P(rtype)) {
		f = build_decl(loc, FIELD_DECL, get_identifier("ret"),
			       TYPE_MAIN_VARIANT(rtype));
		*ret_field = f;
		DECL_CHAIN(f) = rev;
		rev = f;
	}
	/* finish_builtin_struct() takes the fields last first */
	finish_builtin_struct(type, "__nvemu_vlt_frame", rev, NULL_TREE);
	return type;
}

static tree field_ref(tree obj, tree field)
{
	return build3(COMPONENT_REF, TREE_TYPE(field), obj, field, NULL_TREE);
}

/* Genericize and hand a finished function to the call graph */
static void finish_new_function(tree decl, location_t start, location_t end)
{
	DECL_STRUCT_FUNCTION(decl)->function_start_locus = start;
	DECL_STRUCT_FUNCTION(decl)->function_end_locus = end;
	c_genericize(decl);
	cgraph_node::finalize_function(decl, true);
}

/* f.vlt_entry(void *p): ((frame *)p)->ret = f.vlt_body(((frame *)p)->a0...) */
static tree build_entry(tree fndecl, tree body, tree frame, tree ret_field,
			const vec<tree> &fields)
{
	location_t loc = DECL_SOURCE_LOCATION(fndecl);
	tree type = build_function_type_list(void_type_node, ptr_type_node,
					     NULL_TREE);
	tree entry = new_function(fndecl, suffixed_name(fndecl, "vlt_entry"),
				  type);
	tree parm = build_decl(loc, PARM_DECL, get_identifier("frame"),
			       ptr_type_node);
	tree obj, call, stmt;
	vec<tree, va_gc> *args = NULL;
	unsigned int i = 0;

	DECL_ARG_TYPE(parm) = ptr_type_node;
	DECL_CONTEXT(parm) = entry;
	TREE_USED(parm) = 1;
	DECL_ARGUMENTS(entry) = parm;
	DECL_RESULT(entry) = new_result(entry, void_type_node);
	DECL_INITIAL(entry) = new_block(entry, NULL_TREE);

	obj = build1(INDIRECT_REF, frame,
		     fold_convert(build_pointer_type(frame), parm));
	/*
	 * A variably modified type is not converted back: its size would be
	 * evaluated here, with the body's parameters.  Pointer types agree
	 * in the middle end.
	 */
	for (tree p = DECL_ARGUMENTS(body); p; p = DECL_CHAIN(p), i++) {
		tree arg = field_ref(obj, fields[i]);

		if (!variably_modified_type_p(TREE_TYPE(p), NULL_TREE))
			arg = fold_convert(TREE_TYPE(p), arg);
		vec_safe_push(args, arg);
	}
	call = build_call_expr_loc_vec(loc, body, args);
	stmt = ret_field ? build2(MODIFY_EXPR, TREE_TYPE(ret_field),
				  field_ref(obj, ret_field), call) : call;
	DECL_SAVED_TREE(entry) = build3(BIND_EXPR, void_type_node, NULL_TREE,
					stmt, DECL_INITIAL(entry));
	TREE_SIDE_EFFECTS(DECL_SAVED_TREE(entry)) = 1;
	return entry;
}

/*
 * f's new body: frame.aN = parmN...; __nvemu_vlt_call(entry, &frame);
 * return frame.ret;
 */
static void build_wrapper(tree fndecl, tree entry, tree frame,
			  tree ret_field, const vec<tree> &fields)
{
	location_t loc = DECL_SOURCE_LOCATION(fndecl);
	tree var = build_decl(loc, VAR_DECL, get_identifier("__vlt_frame"),
			      frame);
	tree list = alloc_stmt_list(), call, ret;
	unsigned int i = 0;

	DECL_CONTEXT(var) = fndecl;
	DECL_ARTIFICIAL(var) = 1;
	TREE_ADDRESSABLE(var) = 1;
	TREE_USED(var) = 1;
	DECL_INITIAL(fndecl) = new_block(fndecl, var);

	for (tree p = DECL_ARGUMENTS(fndecl); p; p = DECL_CHAIN(p), i++)
		append_to_statement_list(build2(MODIFY_EXPR,
						TREE_TYPE(fields[i]),
						field_ref(var, fields[i]),
						fold_convert(TREE_TYPE(fields[i]), p)),
					 &list);
	call = build_call_expr_loc(loc, runtime_decl(), 2,
				   build_fold_addr_expr(entry),
				   build_fold_addr_expr(var));
	append_to_statement_list(call, &list);
	if (ret_field)
		ret = build1(RETURN_EXPR, void_type_node,
			     build2(MODIFY_EXPR, TREE_TYPE(DECL_RESULT(fndecl)),
				    DECL_RESULT(fndecl),
				    fold_convert(TREE_TYPE(DECL_RESULT(fndecl)),
						 field_ref(var, ret_field))));
	else
		ret = build1(RETURN_EXPR, void_type_node, NULL_TREE);
	append_to_statement_list(ret, &list);
	DECL_SAVED_TREE(fndecl) = build3(BIND_EXPR, void_type_node, var, list,
					 DECL_INITIAL(fndecl));
	TREE_SIDE_EFFECTS(DECL_SAVED_TREE(fndecl)) = 1;
}

/* Give @fndecl fresh parameters and result; the old ones went to the body */
static void fresh_parms(tree fndecl)
{
	tree head = NULL_TREE, *tail = &head;

	for (tree p = DECL_ARGUMENTS(fndecl); p; p = DECL_CHAIN(p)) {
		tree n = copy_node(p);

		/* a VLA's size refers to the body's parameters now */
		if (variably_modified_type_p(TREE_TYPE(n), NULL_TREE)) {
			TREE_TYPE(n) = ptr_type_node;
			DECL_ARG_TYPE(n) = ptr_type_node;
		}
		DECL_CONTEXT(n) = fndecl;
		TREE_USED(n) = 1;
		DECL_CHAIN(n) = NULL_TREE;
		*tail = n;
		tail = &DECL_CHAIN(n);
	}
	DECL_ARGUMENTS(fndecl) = head;
	DECL_RESULT(fndecl) = new_result(fndecl,
					 TREE_TYPE(TREE_TYPE(fndecl)));
}

static void split_vlt_function(tree fndecl)
{
	function *fn = DECL_STRUCT_FUNCTION(fndecl);
	location_t start = fn->function_start_locus;
	location_t end = fn->function_end_locus;
	tree body = new_function(fndecl, suffixed_name(fndecl, "vlt_body"),
				 TREE_TYPE(fndecl));
	move_ctx m = { fndecl, body };
	tree frame, ret_field, entry;
	auto_vec<tree> fields;

	/* the body, parameters, result and blocks move to f.vlt_body */
	DECL_ARGUMENTS(body) = DECL_ARGUMENTS(fndecl);
	DECL_RESULT(body) = DECL_RESULT(fndecl);
	DECL_SAVED_TREE(body) = DECL_SAVED_TREE(fndecl);
	DECL_INITIAL(body) = DECL_INITIAL(fndecl);
	for (tree p = DECL_ARGUMENTS(body); p; p = DECL_CHAIN(p))
		DECL_CONTEXT(p) = body;
	DECL_CONTEXT(DECL_RESULT(body)) = body;
	BLOCK_SUPERCONTEXT(DECL_INITIAL(body)) = body;
	walk_tree_without_duplicates(&DECL_SAVED_TREE(body), move_r, &m);
	move_blocks(DECL_INITIAL(body), &m);
	fresh_parms(fndecl);

	frame = build_frame(body, &ret_field, &fields);
	entry = build_entry(fndecl, body, frame, ret_field, fields);
	build_wrapper(fndecl, entry, frame, ret_field, fields);

	push_struct_function(body);
	finish_new_function(body, start, end);
	pop_cfun();
	push_struct_function(entry);
	finish_new_function(entry, start, end);
	pop_cfun();
}

static void pre_genericize(void *gcc_data, void *)
{
	tree fndecl = (tree)gcc_data;

	if (!lookup_attribute("vlt", DECL_ATTRIBUTES(fndecl)))
		return;
	if (vlt_refused(fndecl))
		return;
	split_vlt_function(fndecl);
}

int plugin_init(struct plugin_name_args *info, struct plugin_gcc_version *ver)
{
	if (!plugin_default_version_check(ver, &gcc_version)) {
		error("%<nvemu_vlt_plugin%>: built for GCC %s, loaded by GCC %s",
		      gcc_version.basever, ver->basever);
		return 1;
	}
	register_callback(info->base_name, PLUGIN_INFO, NULL, &nvemu_vlt_info);
	register_callback(info->base_name, PLUGIN_ATTRIBUTES,
			  register_attributes, NULL);
	register_callback(info->base_name, PLUGIN_PRE_GENERICIZE,
			  pre_genericize, NULL);
	return 0;
}
