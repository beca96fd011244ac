//! `.Files`: a chart's non-template files with Helm's methods (`Get`, `GetBytes`,
//! `Glob`, `Lines`, `AsConfig`, `AsSecrets`). In Go it is a `map[string][]byte` type,
//! so `toJson` shows file contents base64-encoded.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine as _;
use gotmpl::{Elem, List, MapInner, Object, Value};

/// A chart's files, keyed by path relative to the chart.
#[derive(Clone, Default)]
pub struct Files {
    files: Arc<BTreeMap<String, Arc<[u8]>>>,
}

impl Files {
    pub fn new(files: BTreeMap<String, Arc<[u8]>>) -> Files {
        Files {
            files: Arc::new(files),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Arc<[u8]>> {
        self.files.get(name)
    }

    /// Helm's `Files.Glob`: gobwas/glob with `/` as separator (`**` crosses it).
    pub fn glob(&self, pattern: &str) -> Result<Files, String> {
        let matcher = GlobMatcher::new(pattern)?;
        let picked = self
            .files
            .iter()
            .filter(|(name, _)| matcher.matches(name))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(Files::new(picked))
    }

    fn base_name_map(&self, f: impl Fn(&[u8]) -> String) -> Value {
        let mut m = MapInner::new();
        for (k, v) in self.files.iter() {
            let base = k.rsplit('/').next().unwrap_or(k);
            m.insert(base.to_string(), Value::str(f(v)));
        }
        Value::map(m)
    }

    fn as_yaml(&self, f: impl Fn(&[u8]) -> String) -> String {
        if self.files.is_empty() {
            return String::new();
        }
        crate::values::to_yaml(&self.base_name_map(f)).unwrap_or_default()
    }

    fn lines(&self, path: &str) -> Value {
        let Some(data) = self.files.get(path) else {
            return Value::list(Vec::new());
        };
        let s = data.strip_suffix(b"\n").unwrap_or(data);
        // Helm's `Lines` returns a Go `[]string`.
        Value::List(List::typed(
            s.split(|b| *b == b'\n').map(Value::from_go_bytes).collect(),
            Elem::String,
        ))
    }
}

fn arg_str<'a>(args: &'a [Value], method: &str) -> Result<&'a str, String> {
    match args {
        [Value::String(s)] => Ok(s),
        [other] => Err(format!(
            "wrong type for value; expected string; got {}",
            other.type_name()
        )),
        _ => Err(format!(
            "wrong number of args for {method}: want 1 got {}",
            args.len()
        )),
    }
}

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }

    fn kind_name(&self) -> &'static str {
        "map"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "AsConfig" => Some(Value::str(
                self.as_yaml(|d| gotmpl::value::go_text(d).into_owned()),
            )),
            "AsSecrets" => {
                Some(Value::str(self.as_yaml(|d| {
                    base64::engine::general_purpose::STANDARD.encode(d)
                })))
            }
            _ => None,
        }
    }

    fn has_method(&self, name: &str) -> bool {
        matches!(name, "Get" | "GetBytes" | "Glob" | "Lines")
    }

    fn method_params(&self, name: &str) -> Option<&'static [gotmpl::func::Param]> {
        Some(match name {
            "Get" | "GetBytes" | "Glob" | "Lines" => &[gotmpl::func::Param::String],
            "AsConfig" | "AsSecrets" => &[],
            _ => return None,
        })
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let r = match name {
            // A Go string holds any bytes: a binary file stays itself for `b64enc`.
            "Get" => arg_str(args, name).map(|p| {
                self.files
                    .get(p)
                    .map(|d| Value::from_go_bytes(d))
                    .unwrap_or_else(|| Value::str(""))
            }),
            "GetBytes" => arg_str(args, name).map(|p| {
                Value::Bytes(
                    self.files
                        .get(p)
                        .cloned()
                        .unwrap_or_else(|| Arc::from(&[][..])),
                )
            }),
            "Glob" => arg_str(args, name)
                .and_then(|p| self.glob(p))
                .map(|f| Value::Object(Arc::new(f))),
            "Lines" => arg_str(args, name).map(|p| self.lines(p)),
            _ => return None,
        };
        Some(r)
    }

    fn display(&self) -> String {
        // Go prints a map[string][]uint8 as map[name:[bytes...]].
        let body: Vec<String> = self
            .files
            .iter()
            .map(|(k, v)| {
                let bytes: Vec<String> = v.iter().map(|b| b.to_string()).collect();
                format!("{k}:[{}]", bytes.join(" "))
            })
            .collect();
        format!("map[{}]", body.join(" "))
    }

    fn truthy(&self) -> bool {
        !self.files.is_empty()
    }

    fn to_value(&self) -> Option<Value> {
        Some(Value::Map(gotmpl::Map::typed(
            self.files
                .iter()
                .map(|(k, v)| (k.clone(), Value::Bytes(v.clone())))
                .collect(),
            gotmpl::value::Elem::Bytes,
        )))
    }

    // engine.files is a `map[string][]byte`: `range $path, $bytes := .Files.Glob ..`.
    fn collection(&self) -> Option<Value> {
        self.to_value()
    }
}

/// gobwas/glob as Helm compiles it (`glob.Compile(pattern, '/')`): `*` (not across
/// `/`), `**` (across), `?`, `[...]`/`[!...]`, `{a,b}` alternatives, `\` escapes.
struct GlobMatcher {
    alternatives: Vec<Alternative>,
}

/// One `{a,b}` expansion of a pattern, its leading and trailing literals split off:
/// charts glob a fixed directory and extension around one `*`
/// (`files/docker-entrypoint-initdb.d/*.{sh,sql}`), so most names are refused by a
/// prefix or suffix comparison and the token walk covers only the middle.
struct Alternative {
    prefix: String,
    middle: Vec<GTok>,
    suffix: String,
}

impl Alternative {
    fn new(mut toks: Vec<GTok>) -> Alternative {
        let literal = |t: &GTok| match t {
            GTok::Lit(c) => Some(*c),
            _ => None,
        };
        let lead = toks.iter().take_while(|t| literal(t).is_some()).count();
        let prefix: String = toks.drain(..lead).filter_map(|t| literal(&t)).collect();
        let trail = toks
            .iter()
            .rev()
            .take_while(|t| literal(t).is_some())
            .count();
        let suffix: String = toks
            .drain(toks.len() - trail..)
            .filter_map(|t| literal(&t))
            .collect();
        Alternative {
            prefix,
            middle: toks,
            suffix,
        }
    }

    fn matches(&self, name: &str) -> bool {
        if name.len() < self.prefix.len() + self.suffix.len()
            || !name.starts_with(&self.prefix)
            || !name.ends_with(&self.suffix)
        {
            return false;
        }
        // Both ends matched whole characters, so these are char boundaries.
        let middle = &name[self.prefix.len()..name.len() - self.suffix.len()];
        if self.middle.is_empty() {
            return middle.is_empty();
        }
        let chars: Vec<char> = middle.chars().collect();
        match_tokens(&self.middle, &chars)
    }
}

#[derive(Clone, Debug)]
enum GTok {
    Lit(char),
    Any,
    Star,
    SuperStar,
    Class(bool, Vec<(char, char)>),
}

/// Cap on `{a,b}` expansion so hostile patterns stay small.
const MAX_ALTERNATIVES: usize = 256;

impl GlobMatcher {
    fn new(pattern: &str) -> Result<GlobMatcher, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut pos = 0;
        let alternatives = parse_seq(&chars, &mut pos, false)?;
        if pos != chars.len() {
            return Err(format!(
                "unexpected character at {pos} in pattern {pattern:?}"
            ));
        }
        Ok(GlobMatcher {
            alternatives: alternatives.into_iter().map(Alternative::new).collect(),
        })
    }

    fn matches(&self, name: &str) -> bool {
        self.alternatives.iter().any(|alt| alt.matches(name))
    }
}

/// Parse a sequence until end (or `,`/`}` inside braces); returns its expansions.
fn parse_seq(chars: &[char], pos: &mut usize, in_braces: bool) -> Result<Vec<Vec<GTok>>, String> {
    let mut outs: Vec<Vec<GTok>> = vec![Vec::new()];
    while *pos < chars.len() {
        let c = chars[*pos];
        match c {
            ',' | '}' if in_braces => break,
            '*' => {
                *pos += 1;
                let tok = if chars.get(*pos) == Some(&'*') {
                    *pos += 1;
                    GTok::SuperStar
                } else {
                    GTok::Star
                };
                outs.iter_mut().for_each(|o| o.push(tok.clone()));
            }
            '?' => {
                *pos += 1;
                outs.iter_mut().for_each(|o| o.push(GTok::Any));
            }
            '\\' => {
                let e = *chars.get(*pos + 1).ok_or("unexpected end of pattern")?;
                *pos += 2;
                outs.iter_mut().for_each(|o| o.push(GTok::Lit(e)));
            }
            '[' => {
                *pos += 1;
                let neg = chars.get(*pos) == Some(&'!');
                if neg {
                    *pos += 1;
                }
                let mut ranges = Vec::new();
                loop {
                    let c = *chars.get(*pos).ok_or("unclosed character class")?;
                    *pos += 1;
                    if c == ']' {
                        break;
                    }
                    if chars.get(*pos) == Some(&'-')
                        && chars.get(*pos + 1).is_some_and(|n| *n != ']')
                    {
                        let hi = chars[*pos + 1];
                        *pos += 2;
                        ranges.push((c, hi));
                    } else {
                        ranges.push((c, c));
                    }
                }
                outs.iter_mut()
                    .for_each(|o| o.push(GTok::Class(neg, ranges.clone())));
            }
            '{' => {
                *pos += 1;
                let mut choices = Vec::new();
                loop {
                    choices.extend(parse_seq(chars, pos, true)?);
                    match chars.get(*pos) {
                        Some(',') => *pos += 1,
                        Some('}') => {
                            *pos += 1;
                            break;
                        }
                        _ => return Err("unclosed alternatives".into()),
                    }
                }
                let mut next = Vec::new();
                for o in &outs {
                    for ch in &choices {
                        let mut v = o.clone();
                        v.extend(ch.iter().cloned());
                        next.push(v);
                    }
                }
                if next.len() > MAX_ALTERNATIVES {
                    return Err("too many alternatives in pattern".into());
                }
                outs = next;
            }
            _ => {
                *pos += 1;
                outs.iter_mut().for_each(|o| o.push(GTok::Lit(c)));
            }
        }
    }
    Ok(outs)
}

fn match_tokens(toks: &[GTok], name: &[char]) -> bool {
    let n = name.len();
    let mut cur = vec![false; n + 1];
    cur[0] = true;
    let mut next = vec![false; n + 1];
    for t in toks {
        next.fill(false);
        match t {
            GTok::Star | GTok::SuperStar => {
                let cross = matches!(t, GTok::SuperStar);
                for j in 0..=n {
                    if cur[j] || (j > 0 && next[j - 1] && (cross || name[j - 1] != '/')) {
                        next[j] = true;
                    }
                }
            }
            _ => {
                for j in 0..n {
                    if cur[j] {
                        let c = name[j];
                        let ok = match t {
                            GTok::Lit(l) => *l == c,
                            GTok::Any => c != '/',
                            GTok::Class(neg, ranges) => {
                                c != '/' && ranges.iter().any(|(a, b)| *a <= c && c <= *b) != *neg
                            }
                            _ => false,
                        };
                        if ok {
                            next[j + 1] = true;
                        }
                    }
                }
            }
        }
        std::mem::swap(&mut cur, &mut next);
    }
    cur[n]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Files {
        let mut m = BTreeMap::new();
        for (k, v) in [
            ("files/a.txt", "line1\nline2\n"),
            ("files/b.txt", "B"),
            ("files/sub/c.yaml", "c: 1"),
            ("README.md", "hi"),
        ] {
            m.insert(k.to_string(), Arc::from(v.as_bytes()));
        }
        Files::new(m)
    }

    fn names(f: &Files) -> Vec<String> {
        f.files.keys().cloned().collect()
    }

    #[test]
    fn templates_range_len_and_index_a_glob_like_a_map() {
        let mut t = gotmpl::Templates::new();
        t.parse(
            "t",
            "{{ $g := .Glob \"files/*\" }}{{ len $g }}|{{ range $p, $b := $g }}{{ $p }}={{ len $b }};{{ end }}|{{ index $g \"files/b.txt\" | printf \"%s\" }}",
        )
        .unwrap();
        let out = t.execute("t", &Value::Object(Arc::new(files()))).unwrap();
        assert_eq!(out, "2|files/a.txt=12;files/b.txt=1;|B");
    }

    /// Splitting off literal ends never changes a match: every pattern agrees with the
    /// token walk over the whole name.
    #[test]
    fn literal_ends_match_as_the_whole_walk() {
        let patterns = [
            "files/*",
            "files/**",
            "**.{md,yaml}",
            "files/[!a].txt",
            "*.conf",
            "a*a",
            "aa",
            "",
            "*",
            "f?les/*.{sh,sql,sql.gz}",
            "é*é",
            "files/\\*x",
            "{files,conf}/**/c.yaml",
            "x{,y}z",
        ];
        let names = [
            "",
            "a",
            "aa",
            "aaa",
            "files/a.txt",
            "files/b.txt",
            "files/sub/c.yaml",
            "conf/x/c.yaml",
            "README.md",
            "x.conf",
            "d/x.conf",
            "files/init.sql.gz",
            "files/init.sh",
            "éé",
            "é",
            "files/*x",
            "xz",
            "xyz",
        ];
        for p in patterns {
            let chars: Vec<char> = p.chars().collect();
            let whole = parse_seq(&chars, &mut 0, false).unwrap();
            let matcher = GlobMatcher::new(p).unwrap();
            for n in names {
                let name: Vec<char> = n.chars().collect();
                let expected = whole.iter().any(|toks| match_tokens(toks, &name));
                assert_eq!(matcher.matches(n), expected, "pattern {p:?} on {n:?}");
            }
        }
    }

    #[test]
    fn glob_like_gobwas() {
        let f = files();
        assert_eq!(
            names(&f.glob("files/*").unwrap()),
            ["files/a.txt", "files/b.txt"]
        );
        assert_eq!(names(&f.glob("files/**").unwrap()).len(), 3);
        assert_eq!(
            names(&f.glob("**.{md,yaml}").unwrap()),
            ["README.md", "files/sub/c.yaml"]
        );
        assert_eq!(names(&f.glob("files/[!a].txt").unwrap()), ["files/b.txt"]);
    }

    #[test]
    fn methods() {
        let f = files();
        let get = f
            .call_method("Get", &[Value::str("files/b.txt")])
            .unwrap()
            .unwrap();
        assert_eq!(get, Value::str("B"));
        let missing = f
            .call_method("Get", &[Value::str("nope")])
            .unwrap()
            .unwrap();
        assert_eq!(missing, Value::str(""));
        let lines = f
            .call_method("Lines", &[Value::str("files/a.txt")])
            .unwrap()
            .unwrap();
        assert_eq!(
            lines,
            Value::List(List::typed(
                vec![Value::str("line1"), Value::str("line2")],
                Elem::String
            ))
        );
        assert_eq!(lines.type_name(), "[]string");
        assert!(f.call_method("Get", &[]).unwrap().is_err());
    }
}
