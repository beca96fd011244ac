"""Regenerates helm_cases.json: renders each case with real Helm (helm-python-sdk,
Helm 4) and records its output or error, for conformance_tests.rs.

Run: /work/venv-helm/bin/python gen_helm_cases.py
Exec errors are converted from Helm's multi-line traceback back to Go's one-line
form (what this crate prints); parse errors keep Helm's form.
"""
import json, os, re, tempfile
import helm_python as helm

V = {"s": "x", "e": "", "i": 3, "f": 1.5, "big": 1000000, "tiny": 3e-7, "hundredk": 100000,
     "huge": 123456789, "neg": -2.5, "t": True, "fl": False, "n": None, "z": 0,
     "l": ["a", 1, None, True], "nums": [3, 1, 2], "m": {"b": 2, "a": "A", "c": {"d": "D"}},
     "em": {}, "el": [], "str": "hello world", "html": "<a href=\"x\">'&'</a>",
     "a": 1e20, "b": 1e21, "c": 1e-5, "d": 0.1, "e2": -0.0,
     "deep": {"k": [{"x": [1, {"y": None}]}, "s"], "j": {"z": []}}}

CASES = [
    # printing
    ("print_scalars", "{{ .Values.s }}|{{ .Values.i }}|{{ .Values.f }}|{{ .Values.big }}|{{ .Values.tiny }}|{{ .Values.hundredk }}|{{ .Values.huge }}|{{ .Values.neg }}|{{ .Values.t }}|{{ .Values.z }}"),
    ("print_missing_and_null", "[{{ .Values.nope }}][{{ .Values.n }}][{{ print .Values.nope }}][{{ printf \"%v\" .Values.n }}]"),
    ("print_containers", "{{ .Values.l }} {{ .Values.m }} {{ .Values.em }} {{ .Values.el }}"),
    ("literals", "{{ 1 }} {{ 1.0 }} {{ 1e6 }} {{ 0x1F }} {{ 'a' }} {{ -3 }} {{ 1_000 }} {{ 0o17 }} {{ \"q\\tq\" }} {{ `raw` }} {{ true }} {{ 2.50 }}"),
    ("trim", "a  {{- .Values.s -}}  b\n  {{- /* comment */ -}}\n  c {{/* x */}} d"),
    # fmt
    ("printf_verbs", "{{ printf \"%d|%5d|%-5d|%05d|%x|%X|%o|%b|%c|%q|%U\" 42 42 42 -42 255 255 8 5 65 65 65 }}"),
    ("printf_floats", "{{ printf \"%f|%.2f|%8.3f|%e|%g|%G|%.3g|%v\" 3.25159 2.675 -3.25159 1234.5678 0.00001234 1e21 1234.5678 .Values.f }}"),
    ("printf_strings", "{{ printf \"%s|%q|%x|% x|%.2s|%5s|%-5s|%v\" .Values.s .Values.html \"hi\" \"hi\" \"héllo\" \"ab\" \"ab\" .Values.l }}"),
    ("printf_bad", "{{ printf \"%d|%s|%d %d|%!|%z\" .Values.i 5 1 }}"),
    ("printf_extra", "{{ printf \"%s\" \"a\" \"b\" 3 }}|{{ printf \"x\" .Values.nope }}|{{ printf \"%d\" .Values.nope }}"),
    ("printf_containers", "{{ printf \"%v|%d|%s|%q\" .Values.m .Values.nums .Values.l .Values.l }}"),
    ("printf_index", "{{ printf \"%[2]s %[1]s|%*d|%.*f|%T %T %T\" \"a\" \"b\" 4 7 1 2.25 1 .Values.f .Values.m }}"),
    ("print_spacing", "{{ print 1 2 \"a\" 3 \"b\" \"c\" .Values.nope 4 }}|{{ println \"x\" 1 .Values.f }}|"),
    # control
    ("if_else_chain", "{{ if .Values.fl }}a{{ else if .Values.z }}b{{ else if .Values.s }}c{{ else }}d{{ end }}|{{ if .Values.em }}x{{ else }}y{{ end }}|{{ if .Values.n }}x{{ else }}y{{ end }}"),
    ("with_else_with", "{{ with .Values.nope }}a{{ else with .Values.s }}[{{ . }}]{{ end }}|{{ with .Values.e }}x{{ else }}none{{ end }}"),
    ("range_list", "{{ range .Values.l }}({{ . }}){{ end }}|{{ range $i, $v := .Values.nums }}{{ $i }}={{ $v }},{{ end }}"),
    ("range_map", "{{ range $k, $v := .Values.m }}{{ $k }}={{ $v }};{{ end }}|{{ range .Values.m }}{{ . }},{{ end }}"),
    ("range_else", "{{ range .Values.el }}x{{ else }}empty{{ end }}|{{ range .Values.nope }}x{{ else }}none{{ end }}"),
    ("range_int", "{{ range 3 }}{{ . }}{{ end }}|{{ range $i := 2 }}{{ $i }}{{ end }}|{{ range 0 }}x{{ else }}zero{{ end }}"),
    ("break_continue", "{{ range .Values.nums }}{{ if eq . 2.0 }}{{ break }}{{ end }}{{ if eq . 1.0 }}{{ continue }}{{ end }}{{ . }}{{ end }}"),
    ("variables", "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ $y }}{{ end }}{{ $x }}|{{ range .Values.nums }}{{ $.Values.s }}{{ end }}|{{ $m := .Values.m }}{{ $m.c.d }}"),
    ("and_or_not", "{{ and .Values.t .Values.s }}|{{ and .Values.t .Values.z .Values.s }}|{{ or .Values.fl .Values.e .Values.s }}|{{ or .Values.fl .Values.z }}|{{ not .Values.nope }}|{{ not .Values.l }}|{{ .Values.t | and .Values.s }}"),
    ("comparisons", "{{ eq .Values.s \"y\" \"x\" }} {{ ne .Values.i 4.0 }} {{ lt .Values.f 2.0 }} {{ ge \"b\" \"a\" }} {{ eq .Values.nope nil }} {{ eq .Values.s nil }} {{ le 2 2 }} {{ gt 1 2 }}"),
    ("len_index_slice", "{{ len .Values.l }} {{ len .Values.m }} {{ len .Values.str }} {{ index .Values.l 0 }} {{ index .Values.m \"c\" \"d\" }} {{ index .Values.m \"zz\" }} {{ index .Values.str 1 }}"),
    ("escapers", "{{ html .Values.html }}|{{ js .Values.html }}|{{ urlquery .Values.str \"&=/\" }}|{{ html .Values.nope }}|{{ js \"a\\nb=é\" }}"),
    ("define_template_block", "{{ define \"x\" }}[{{ . }}]{{ end }}{{ template \"x\" .Values.s }}{{ template \"x\" }}{{ block \"b\" .Values.i }}<{{ . }}>{{ end }}"),
    ("include_tpl", "{{ define \"n\" }}{{ .s }}!{{ end }}{{ include \"n\" .Values }}|{{ tpl \"{{ .Values.s }}-{{ include \\\"n\\\" .Values }}\" . }}|{{ include \"n\" .Values | printf \"%q\" }}"),
    ("parens_chains", "{{ (index .Values.m \"c\").d }}|{{ (.Values.m).a }}|{{ .Values.s | printf \"%s-%s\" \"y\" }}"),
    # exec errors
    ("err_nil_pointer", "{{ .Values.nope.x }}"),
    ("err_null_pointer", "x\n  {{ .Values.n.x }}"),
    ("err_field_of_string", "{{ .Values.s.x }}"),
    ("err_field_with_dot_string", "{{ with .Values.s }}{{ .x }}{{ end }}"),
    ("err_eq_types", "{{ eq .Values.i 3 }}"),
    ("err_lt_types", "{{ lt 1 \"a\" }}"),
    ("err_lt_bool", "{{ lt true false }}"),
    ("err_index_range", "{{ index .Values.l 10 }}"),
    ("err_index_nil", "{{ index .Values.nope \"x\" }}"),
    ("err_index_float", "{{ index .Values.l 1.0 }}"),
    ("err_len_nil", "{{ len .Values.nope }}"),
    ("err_len_int", "{{ len 3 }}"),
    ("err_wrong_args", "{{ len 1 2 }}"),
    ("err_not_method", "{{ .Values.m.a 1 }}"),
    ("err_range_float", "{{ range .Values.f }}{{ end }}"),
    ("err_range_string", "{{ range .Values.s }}{{ end }}"),
    ("err_template_missing", "{{ template \"nope\" }}"),
    ("err_include_missing", "{{ include \"nope\" . }}"),
    ("err_nil_command", "{{ nil }}"),
    ("err_non_function", "{{ 1 2 }}"),
    ("err_printf_nonstring", "{{ printf 1 }}"),
    ("err_var_nil_field", "{{ range .Values.l }}{{ .x }}{{ end }}"),
    ("err_eq_maps", "{{ eq .Values.m .Values.m }}"),
    ("err_and_no_args", "{{ and }}"),
    # parse errors
    ("perr_missing_if", "{{ if }}{{ end }}"),
    ("perr_end", "a\n{{ end }}"),
    ("perr_eof", "{{ if .Values.t }}"),
    ("perr_unclosed", "{{ .Values.s "),
    ("perr_unclosed_multiline", "{{ .Values.s\n\n"),
    ("perr_undefined_fn", "{{ nosuchfunc 1 }}"),
    ("perr_undefined_var", "{{ $x }}"),
    ("perr_pipeline_stage", "{{ .Values.s | 3 }}"),
    ("perr_break_outside", "{{ break }}"),
    ("perr_bad_number", "{{ 3k }}"),
    ("perr_string", "{{ \"abc }}"),
    ("perr_else_twice", "{{ if 1 }}{{ else }}{{ else }}{{ end }}"),
    ("perr_dot_after_literal", "{{ \"x\".y }}"),
    ("perr_too_many_decl", "{{ range $a, $b, $c := .Values.l }}{{ end }}"),
    ("perr_unexpected_paren", "{{ .Values.s ) }}"),
    ("perr_comment", "{{/* x */ .Values.s }}"),
    ("perr_char", "{{ 'ab' }}"),
    ("perr_define_name", "{{ define x }}{{ end }}"),
    ("perr_bad_char", "{{ .Values.s# }}"),
    ("perr_overflow", "{{ 99999999999999999999 }}"),
    # round 2: lexing corners
    ("trim_numbers", "a {{-3}} b {{- 3 -}} c {{ -3 }}"),
    ("trim_newlines", "a\n\n  {{- .Values.s }}\n  {{- \"y\" -}}\n\n  z"),
    ("crlf", "a\r\n{{- .Values.s -}}\r\nb{{ `r\r\nx` }}"),
    ("comment_trim", "x {{- /* c\nmulti */ -}} y{{/* */}}z"),
    ("unicode_idents", "{{ $é := .Values.s }}{{ $é }}|{{ .Values.m.c.d }}"),
    ("multiline_action", "{{ printf \"%s-%s\"\n   .Values.s\n   .Values.str }}"),
    ("escapes", "{{ \"\\x41\\u00e9\\101\\a|\\\\\" }}|{{ '\\n' }}|{{ '\\'' }}|{{ \"\\\"\" }}"),
    ("dollar_in_define", "{{ define \"d\" }}{{ $ }}|{{ $.s }}{{ end }}{{ template \"d\" .Values }}"),
    ("var_scope_range", "{{ $v := \"outer\" }}{{ range $i, $v := .Values.nums }}{{ $v }}{{ end }}{{ $v }}"),
    ("assign_in_range", "{{ $sum := 0.0 }}{{ range .Values.nums }}{{ $sum = . }}{{ end }}{{ $sum }}"),
    ("with_dot_chain", "{{ with .Values.m }}{{ .c.d }}-{{ $.Values.s }}{{ end }}"),
    ("pipeline_decl", "{{ $x := .Values.s | printf \"%s!\" }}{{ $x }}|{{ $y := 2 }}{{ $y = 3 }}{{ $y }}"),
    ("nested_parens", "{{ printf \"%s\" (printf \"%s\" (printf \"%d\" (len (index .Values.m \"c\")))) }}"),
    ("and_or_values", "{{ or .Values.nope .Values.e .Values.el }}|{{ and .Values.l .Values.m }}|{{ or 0 \"\" }}"),
    ("not_values", "{{ not 0 }} {{ not \"\" }} {{ not .Values.em }} {{ not 1.5 }}"),
    ("eq_mixed", "{{ eq .Values.nope nil }} {{ eq nil .Values.s }} {{ eq .Values.t true }} {{ eq .Values.s \"a\" \"b\" \"x\" }} {{ ne .Values.s .Values.e }}"),
    ("index_multi", "{{ index .Values.m \"c\" \"d\" }}|{{ index .Values.l 3 }}|{{ index (index .Values.l 1) }}"),
    ("len_values", "{{ len .Values.em }} {{ len .Values.el }} {{ len \"\" }} {{ len .Values.html }}"),
    ("print_values", "{{ print .Values.m .Values.l }}|{{ print \"a\" .Values.t }}|{{ print 1.5 2 }}|{{ println }}|{{ print }}"),
    # round 2: fmt corners
    ("floats_g", "{{ 1e20 }} {{ 1e21 }} {{ 0.000001 }} {{ 0.0000001 }} {{ 12345678.0 }} {{ 123456.7 }} {{ 1.0e-5 }} {{ 9007199254740993.0 }} {{ 1e100 }} {{ 5e-324 }}"),
    ("floats_values", "{{ .Values.a }} {{ .Values.b }} {{ .Values.c }} {{ .Values.d }} {{ .Values.e2 }}"),
    ("printf_rounding", "{{ printf \"%.0f %.0f %.0f %.1f %.2f %.3e\" 0.5 1.5 2.5 0.05 1.005 123456.0 }}"),
    ("printf_flags", "{{ printf \"%+d|% d|%+.2f|%#x|%#o|%08.3f|%-8.2f|%x|%X|%x|%.2x|%b\" 5 5 1.5 255 8 -1.5 1.5 -255 3.5 0.1 -1e300 2.0 }}"),
    ("printf_width_strings", "{{ printf \"%06s|%-6s|%6.2s|%q|%#q|%+q\" \"ab\" \"ab\" \"abc\" \"é\\n\" \"raw\" \"é\" }}"),
    ("printf_bool_nil", "{{ printf \"%t|%v|%s|%d|%5t\" true false true false true }}|{{ printf \"%s|%v\" .Values.nope .Values.n }}"),
    ("printf_g_prec", "{{ printf \"%.1g|%.2g|%.10g|%g|%g|%G\" 123.0 0.000123 1.0 100000.0 1000000.0 1e-7 }}"),
    ("printf_e", "{{ printf \"%e|%E|%.0e|%10.2e\" 0.0 1.0 15.0 -1234.5 }}"),
    ("printf_char", "{{ printf \"%c|%c|%q|%U|%#U\" 9731 65 9731 9731 9731 }}"),
    ("printf_percent", "{{ printf \"100%%|%5%|%d%%\" 3 }}"),
    ("printf_nested_containers", "{{ printf \"%v\" .Values.deep }}|{{ .Values.deep }}"),
    ("printf_bad_index", "{{ printf \"%[0]d|%[5]d|%[x]d|%[1]d %d\" 1 2 }}"),
    ("printf_go_syntax", "{{ printf \"%#v|%#v|%#v|%#v|%+v\" .Values.l .Values.m .Values.s .Values.f .Values.m }}"),
    ("printf_star_neg", "{{ printf \"%*d|%-*d|\" -4 1 3 2 }}"),
    # round 2: more errors
    ("err_missing_in_with", "{{ with .Values.m }}{{ .nope.x }}{{ end }}"),
    ("err_field_on_int_var", "{{ $x := 1 }}{{ $x.y }}"),
    ("err_field_on_list", "{{ .Values.l.x }}"),
    ("err_chain_on_fn", "{{ (len .Values.l).x }}"),
    ("err_index_map_with_int", "{{ index .Values.m 1 }}"),
    ("err_index_string_range", "{{ index .Values.s 5 }}"),
    ("err_index_neg", "{{ index .Values.l -1 }}"),
    ("err_range_bool", "{{ range true }}{{ end }}"),
    ("err_range_two_vars_int", "{{ range $i, $v := 3 }}{{ end }}"),
    ("err_ne_args", "{{ ne 1 }}"),
    ("err_eq_noargs", "{{ eq 1 }}"),
    ("err_printf_nil", "{{ printf nil }}"),
    ("err_printf_float", "{{ printf .Values.f }}"),
    ("err_printf_missing", "{{ printf .Values.nope }}"),
    ("err_not_args", "{{ not 1 2 }}"),
    ("err_nil_arg_chain", "{{ (nil).x }}"),
    ("err_deep_line", "a\nb\n  c {{ .Values.s }}\n\t{{ .Values.nope.deeper }}"),
    ("err_call", "{{ call .Values.s }}"),
    ("err_call_nil", "{{ call .Values.nope }}"),
    ("err_lt_nil", "{{ lt .Values.nope 1 }}"),
    ("err_eq_list_map", "{{ eq .Values.l .Values.m }}"),
    ("err_eq_lists", "{{ eq .Values.l .Values.l }}"),
    # round 2: parse errors
    ("perr_unclosed_paren", "{{ (printf \"x\" }}"),
    ("perr_empty_paren", "{{ () }}"),
    ("perr_assign_undefined", "{{ $x = 1 }}"),
    ("perr_decl_non_var", "{{ range $a, 3 := .Values.l }}{{ end }}"),
    ("perr_continue_outside", "{{ if 1 }}{{ continue }}{{ end }}"),
    ("perr_break_args", "{{ range .Values.l }}{{ break 1 }}{{ end }}"),
    ("perr_else_in_define", "{{ define \"x\" }}{{ else }}{{ end }}"),
    ("perr_end_args", "{{ if 1 }}{{ end 1 }}"),
    ("perr_template_no_name", "{{ template }}"),
    ("perr_unterminated_raw", "{{ `abc }}"),
    ("perr_unterminated_char", "{{ 'a }}"),
    ("perr_colon", "{{ $x : 1 }}"),
    ("perr_unclosed_comment", "{{/* abc }}"),
    ("perr_long_token", "{{ if 1 }}{{ else \"abcdefghijklmnop\" }}{{ end }}"),
    ("perr_multiple_define", "{{ define \"x\" }}a{{ end }}{{ define \"x\" }}b{{ end }}"),
    ("perr_in_define_line", "{{ define \"x\" }}\n\n{{ .a | 1 }}{{ end }}"),
    ("perr_hex_float", "{{ 0x1p-2 }} {{ 1e }}"),
    # round 3
    ("trim_else", "a\n{{- if .Values.t }}\n  yes\n{{- else }}\n  no\n{{- end }}\nb"),
    ("trim_tabs", "x\t \n\t{{- .Values.s -}}\t\n \ty"),
    ("trim_only", "a {{- \"\" -}} b {{- `` }} c"),
    ("trim_comment_only", "a\n{{- /* x */}}\nb\n{{/* y */ -}}\nc"),
    ("range_trim_yaml", "items:\n{{- range $k, $v := .Values.m }}\n  - {{ $k }}: {{ $v }}\n{{- end }}\n"),
    ("block_default", "{{ block \"blk\" .Values }}default-{{ .s }}{{ end }}"),
    ("printf_unicode_width", "{{ printf \"[%5s][%-4s][%.1s][%3c]\" \"é\" \"日本\" \"日本\" 26085 }}"),
    ("print_bytes_like", "{{ printf \"%s %v %d\" .Values.l .Values.nums .Values.nums }}"),
    ("printf_q_special", "{{ printf \"%q|%q|%+q\" \"\\x00\\x7f\\u00a0\\u200b\" \"日本\" \"日本\" }}"),
    ("eq_int_literal_vs_int_literal", "{{ eq 1 1 }} {{ eq 1.0 1.0 }} {{ eq 'a' 97 }} {{ eq \"a\" \"a\" }} {{ lt 0x10 17 }}"),
    ("nested_defines", "{{ define \"outer\" }}[{{ template \"inner\" . }}]{{ end }}{{ define \"inner\" }}{{ .s }}{{ end }}{{ template \"outer\" .Values }}"),
    ("var_shadow_define", "{{ $x := \"top\" }}{{ define \"v\" }}{{ $x := \"inner\" }}{{ $x }}{{ end }}{{ template \"v\" }}{{ $x }}"),
    ("with_var", "{{ with $x := .Values.s }}{{ $x }}{{ . }}{{ end }}"),
    ("if_var", "{{ if $x := .Values.s }}{{ $x }}{{ end }}"),
    ("range_var_after", "{{ range $i, $e := .Values.nums }}{{ end }}{{ $.Values.s }}"),
    ("index_nested_nil", "{{ index .Values.deep \"k\" 0 \"x\" 1 \"y\" }}|{{ index .Values.deep \"j\" \"z\" }}"),
    ("len_nested", "{{ len .Values.deep.k }} {{ len (index .Values.deep.k 0).x }}"),
    ("and_or_pipeline", "{{ .Values.e | or .Values.fl }}|{{ .Values.s | and .Values.t }}|{{ 0 | or .Values.z }}"),
    ("print_float_variety", "{{ 100000.0 }} {{ 1000000.0 }} {{ 0.1 }} {{ 1e-4 }} {{ 1e-5 }} {{ -0.0 }} {{ 1.7976931348623157e308 }} {{ 123456789012345678.0 }}"),
    ("err_tpl_nested_include", "{{ define \"b\" }}{{ .nope.x }}{{ end }}{{ tpl \"{{ include \\\"b\\\" .Values }}\" . }}"),
    ("err_include_chain", "{{ define \"a\" }}{{ include \"b\" . }}{{ end }}{{ define \"b\" }}\n{{ index .Values.l 99 }}{{ end }}{{ include \"a\" . }}"),
    ("err_template_in_range", "{{ range .Values.nums }}{{ template \"nope\" }}{{ end }}"),
    ("perr_define_in_if", "{{ if 1 }}{{ define \"x\" }}{{ end }}{{ end }}"),
    ("perr_unclosed_define", "{{ define \"x\" }}abc"),
    ("perr_block_no_pipe", "{{ block \"x\" }}{{ end }}"),
    ("perr_line_after_raw", "{{ `a\nb\nc` }}\n{{ if }}"),
    # typed parameters (functions registered with signatures in the test harness,
    # mirroring Sprig's Go signatures: upper(string), trunc(int, string),
    # b64enc(string), default(interface{}, ...interface{}), add1(interface{}))
    ("typed_missing_arg", "{{ upper .Values.nope }}"),
    ("typed_missing_final", "{{ .Values.nope | upper }}"),
    ("typed_var_invalid", "{{ $x := .Values.nope }}{{ upper $x }}"),
    ("typed_null", "{{ upper .Values.n }}"),
    ("typed_float", "{{ upper .Values.i }}"),
    ("typed_nil_literal", "{{ upper nil }}"),
    ("typed_number_literal", "{{ upper 3 }}"),
    ("typed_ok", "{{ trunc 3 .Values.str }}|{{ .Values.s | upper }}|{{ upper \"q\" }}|{{ trunc 2.0 \"abc\" }}"),
    ("typed_int_from_float", "{{ trunc .Values.i .Values.s }}"),
    ("typed_int_literal_bad", "{{ trunc \"x\" .Values.s }}"),
    ("typed_int_literal_frac", "{{ trunc 1.5 .Values.s }}"),
    ("typed_any", "{{ default \"d\" .Values.nope }}|{{ add1 .Values.nope }}"),
    ("typed_final_after_args", "{{ .Values.nope | trunc 3 }}"),
    ("typed_arity", "{{ upper \"a\" \"b\" }}"),
    ("typed_arity_final", "{{ \"a\" | upper \"b\" }}"),
    ("typed_b64", "{{ b64enc .Values.nope }}"),
    ("perr_nested_unexpected", "{{ if .Values.t }}{{ range .Values.l }}{{ end }}"),
]

MULTI = [
    ("err_in_helper_via_include", {"t.yaml": "a: {{ include \"h\" . }}", "_h.tpl": "{{ define \"h\" }}\n  x {{ .Values.nope.y }}{{ end }}"}),
    ("err_in_helper_via_template", {"t.yaml": "a: {{ template \"h\" . }}", "_h.tpl": "{{ define \"h\" }}\n  x {{ .Values.nope.y }}{{ end }}"}),
    ("err_in_tpl", {"t.yaml": "a: {{ tpl \"{{ .Values.nope.y }}\" . }}"}),
    ("perr_in_tpl", {"t.yaml": "a: {{ tpl \"{{ if }}\" . }}"}),
    ("define_override_order", {"a.yaml": "{{ define \"d\" }}from-a{{ end }}{{ template \"d\" }}", "b.yaml": "{{ define \"d\" }}from-b{{ end }}{{ template \"d\" }}"}),
]

def render(files, values):
    d = tempfile.mkdtemp()
    os.makedirs(d + "/c/templates")
    open(d + "/c/Chart.yaml", "w").write("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    for n, t in files.items():
        open(d + "/c/templates/" + n, "w").write(t)
    ch = helm.Chart.load(d + "/c")
    try:
        return {"ok": ch.render(values=values, name="rel")}
    except helm.HelmRenderError as e:
        return {"err": unformat(str(e))}

def unformat(msg):
    """Helm 4 prints exec errors as an indented traceback; rebuild Go's one line."""
    if msg.startswith("parse error") or msg.startswith("template: "):
        return msg
    res = ""
    lines = msg.split("\n")
    i = 0
    while i < len(lines):
        m = None
        if i + 2 < len(lines):
            m = re.match(r'^  executing (".*") at <(.*)>:$', lines[i + 1])
        if not m:
            res += "\n".join(lines[i:])
            break
        text = lines[i + 2].strip()
        res += 'template: %s: executing %s at <%s>: %s' % (lines[i], m.group(1), m.group(2), text)
        i += 3
        if not text.endswith(":"):
            res += "\n".join([""] + lines[i:]) if i < len(lines) else ""
            break
        res += " "
    return res

cases = []
for name, text in CASES:
    cases.append({"name": name, "files": {"t.yaml": text}, "values": V, "expect": render({"t.yaml": text}, V)})
for name, files in MULTI:
    cases.append({"name": name, "files": files, "values": V, "expect": render(files, V)})
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "helm_cases.json"), "w") as f:
    json.dump(cases, f, indent=1, sort_keys=True)
print(len(cases), "cases")
