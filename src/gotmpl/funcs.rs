//! The functions a template may call: Go's builtins, Helm's, and the sprig functions charts
//! commonly use, each with the argument conversions and results of its Go original.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::exec::ExecError;
use super::value::{MAX_DEPTH, Value, go_float, json_float};
use super::{semver, to_yaml, values};

/// Why a call failed.
pub enum Failure {
    /// A message Helm prints as `error calling NAME: message`.
    Message(String),
    /// An error from a template the function ran (`include`, `tpl`), kept as it is.
    Exec(ExecError),
}

type Result<T> = std::result::Result<T, Failure>;

fn fail<T>(message: impl Into<String>) -> Result<T> {
    Err(Failure::Message(message.into()))
}

/// Every function name a template may use; any other is a parse error, as in Go.
#[rustfmt::skip]
const NAMES: &[&str] = &[
    // Go's builtins.
    "and", "or", "not", "eq", "ne", "lt", "le", "gt", "ge", "len", "index", "print", "printf", "println",
    // Helm's.
    "include", "tpl", "required", "fail", "lookup", "toYaml", "fromYaml", "fromYamlArray", "toJson", "mustToJson",
    "toPrettyJson", "fromJson", "fromJsonArray",
    // sprig: strings.
    "quote", "squote", "upper", "lower", "title", "trim", "trimAll", "trimPrefix", "trimSuffix", "replace",
    "contains", "hasPrefix", "hasSuffix", "join", "split", "splitList", "trunc", "nindent", "indent", "repeat",
    "substr", "cat", "toString", "regexQuoteMeta", "regexMatch", "regexReplaceAll", "regexFind", "nospace",
    "b64enc", "b64dec", "sha256sum", "toStrings",
    // sprig: defaults and logic.
    "default", "empty", "coalesce", "ternary",
    // sprig: lists.
    "list", "append", "mustAppend", "prepend", "first", "last", "rest", "initial", "reverse", "uniq", "has",
    "compact", "concat", "without", "sortAlpha", "until",
    // sprig: dicts.
    "dict", "get", "set", "unset", "hasKey", "keys", "pick", "omit", "merge", "mergeOverwrite", "deepCopy", "dig",
    // sprig: numbers.
    "int", "int64", "float64", "atoi", "add", "add1", "sub", "mul", "div", "mod", "max", "min", "floor", "ceil",
    // sprig: types, versions.
    "kindOf", "typeOf", "kindIs", "typeIs", "semverCompare",
];

/// Whether a function of that name exists.
pub fn exists(name: &str) -> bool {
    NAMES.contains(&name)
}

/// Calls one of the functions that need no engine.
pub fn call(name: &str, args: Vec<Value>) -> Result<Value> {
    let n = args.len();
    let want = |k: usize| -> Result<()> {
        if n == k { Ok(()) } else { fail(format!("wrong number of args for {name}: want {k} got {n}")) }
    };
    let at_least = |k: usize| -> Result<()> {
        if n >= k { Ok(()) } else { fail(format!("wrong number of args for {name}: want at least {k} got {n}")) }
    };
    let a = &args;
    Ok(match name {
        "not" => {
            want(1)?;
            Value::Bool(!a[0].truth())
        }
        "eq" => {
            at_least(2)?;
            let mut any = false;
            for b in &a[1..] {
                any |= equal(&a[0], b)?;
            }
            Value::Bool(any)
        }
        "ne" => {
            want(2)?;
            Value::Bool(!equal(&a[0], &a[1])?)
        }
        "lt" | "le" | "gt" | "ge" => {
            want(2)?;
            let ord = order(&a[0], &a[1])?;
            Value::Bool(match name {
                "lt" => ord.is_lt(),
                "le" => ord.is_le(),
                "gt" => ord.is_gt(),
                _ => ord.is_ge(),
            })
        }
        "len" => {
            want(1)?;
            Value::Int(match &a[0] {
                Value::Str(s) => s.len(),
                Value::List(l) => l.len(),
                Value::Map(m) => m.borrow().len(),
                Value::Nil => return fail("len of nil pointer"),
                v => return fail(format!("len of type {}", v.type_name())),
            } as i64)
        }
        "index" => {
            at_least(1)?;
            let mut v = a[0].clone();
            for i in &a[1..] {
                v = match (&v, i) {
                    (Value::List(l), Value::Int(k)) => l
                        .get(usize::try_from(*k).unwrap_or(usize::MAX))
                        .cloned()
                        .ok_or_else(|| Failure::Message(format!("error calling index: index out of range: {k}")))?,
                    (Value::Map(m), Value::Str(k)) => m.borrow().get(&**k).cloned().unwrap_or_default(),
                    (Value::Nil, _) => return fail("index of untyped nil"),
                    (Value::List(_), i) => {
                        return fail(format!("cannot index slice/array with type {}", i.type_name()));
                    }
                    (Value::Map(_), i) => return fail(format!("value has type {}; should be string", i.type_name())),
                    (v, _) => return fail(format!("can't index item of type {}", v.type_name())),
                };
            }
            v
        }
        "print" => {
            let mut s = String::new();
            for (i, v) in a.iter().enumerate() {
                if i > 0 && !matches!(v, Value::Str(_)) && !matches!(a[i - 1], Value::Str(_)) {
                    s.push(' ');
                }
                v.format(&mut s, 0);
            }
            Value::str(s)
        }
        "println" => {
            let parts: Vec<String> = a.iter().map(Value::to_go_string).collect();
            Value::str(parts.join(" ") + "\n")
        }
        "printf" => {
            at_least(1)?;
            Value::str(sprintf(&str_arg(&a[0])?, &a[1..]))
        }
        "toYaml" => {
            want(1)?;
            Value::str(to_yaml::to_yaml(&a[0]).map_err(Failure::Message)?.trim_end_matches('\n'))
        }
        "fromYaml" | "fromYamlArray" => {
            want(1)?;
            let text = str_arg(&a[0])?;
            match values::parse_yaml("fromYaml", &text) {
                Ok(v) if name == "fromYaml" && !matches!(v, Value::List(_)) => match v {
                    Value::Nil => Value::map(BTreeMap::new()),
                    v => v,
                },
                Ok(v @ Value::List(_)) if name == "fromYamlArray" => v,
                Ok(v) => error_value(&format!("error unmarshaling JSON: while decoding JSON: {}", mismatch(name, &v))),
                Err(e) => error_value(&e),
            }
        }
        "fromJson" | "fromJsonArray" => {
            want(1)?;
            let text = str_arg(&a[0])?;
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(j) => {
                    let v = Value::from_json(&j);
                    match (&v, name) {
                        (Value::Map(_), "fromJson") | (Value::List(_), "fromJsonArray") => v,
                        _ => error_value(&mismatch(name, &v)),
                    }
                }
                Err(e) => error_value(&e.to_string()),
            }
        }
        "toJson" | "mustToJson" | "toPrettyJson" => {
            want(1)?;
            let mut s = String::new();
            json(&a[0], &mut s, if name == "toPrettyJson" { Some(0) } else { None }, 0).map_err(Failure::Message)?;
            Value::str(s)
        }
        "quote" => Value::str(
            a.iter()
                .filter(|v| !matches!(v, Value::Nil))
                .map(|v| go_quote(&v.to_go_string()))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "squote" => Value::str(
            a.iter()
                .filter(|v| !matches!(v, Value::Nil))
                .map(|v| format!("'{}'", v.to_go_string()))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "upper" => Value::str(str1(a, name)?.to_uppercase()),
        "lower" => Value::str(str1(a, name)?.to_lowercase()),
        "title" => Value::str(title(&str1(a, name)?)),
        "trim" => Value::str(str1(a, name)?.trim()),
        "nospace" => Value::str(str1(a, name)?.split_whitespace().collect::<String>()),
        "trimAll" => {
            want(2)?;
            let cut = str_arg(&a[0])?;
            Value::str(str_arg(&a[1])?.trim_matches(|c| cut.contains(c)))
        }
        "trimPrefix" | "trimSuffix" => {
            want(2)?;
            let (affix, s) = (str_arg(&a[0])?, str_arg(&a[1])?);
            let out = if name == "trimPrefix" { s.strip_prefix(&*affix) } else { s.strip_suffix(&*affix) };
            Value::str(out.unwrap_or(&s))
        }
        "replace" => {
            want(3)?;
            let (old, new, s) = (str_arg(&a[0])?, str_arg(&a[1])?, str_arg(&a[2])?);
            bounded(s.len().saturating_mul(new.len().max(1)))?;
            Value::str(if old.is_empty() { go_replace_empty(&s, &new) } else { s.replace(&*old, &new) })
        }
        "contains" | "hasPrefix" | "hasSuffix" => {
            want(2)?;
            let (needle, s) = (str_arg(&a[0])?, str_arg(&a[1])?);
            Value::Bool(match name {
                "contains" => s.contains(&*needle),
                "hasPrefix" => s.starts_with(&*needle),
                _ => s.ends_with(&*needle),
            })
        }
        "join" => {
            want(2)?;
            let sep = str_arg(&a[0])?;
            Value::str(strslice(&a[1]).join(&sep))
        }
        "split" | "splitList" => {
            want(2)?;
            let (sep, s) = (str_arg(&a[0])?, str_arg(&a[1])?);
            let parts: Vec<&str> =
                if sep.is_empty() { s.split("").filter(|p| !p.is_empty()).collect() } else { s.split(&*sep).collect() };
            if name == "split" {
                Value::map(parts.iter().enumerate().map(|(i, p)| (format!("_{i}"), Value::str(*p))).collect())
            } else {
                Value::list(parts.into_iter().map(Value::str).collect())
            }
        }
        "trunc" => {
            want(2)?;
            let (c, s) = (int_arg(&a[0])?, str_arg(&a[1])?);
            let len = s.len() as i64;
            let out = if c < 0 && len + c > 0 {
                &s[floor_char(&s, (len + c) as usize)..]
            } else if c >= 0 && len > c {
                &s[..floor_char(&s, c as usize)]
            } else {
                &s[..]
            };
            Value::str(out)
        }
        "indent" | "nindent" => {
            want(2)?;
            let (n, s) = (int_arg(&a[0])?, str_arg(&a[1])?);
            let n = usize::try_from(n).unwrap_or(0).min(1000);
            let pad = " ".repeat(n);
            bounded(s.len() + (s.matches('\n').count() + 1) * n)?;
            let body = format!("{pad}{}", s.replace('\n', &format!("\n{pad}")));
            Value::str(if name == "nindent" { format!("\n{body}") } else { body })
        }
        "repeat" => {
            want(2)?;
            let (n, s) = (int_arg(&a[0])?, str_arg(&a[1])?);
            let n = usize::try_from(n).unwrap_or(0);
            bounded(s.len().saturating_mul(n))?;
            Value::str(s.repeat(n))
        }
        "substr" => {
            want(3)?;
            let (start, end, s) = (int_arg(&a[0])?, int_arg(&a[1])?, str_arg(&a[2])?);
            let len = s.len() as i64;
            let (start, end) = (start.max(0), if end < 0 || end > len { len } else { end });
            if start > end || start > len {
                Value::str("")
            } else {
                Value::str(&s[floor_char(&s, start as usize)..floor_char(&s, end as usize)])
            }
        }
        "cat" => Value::str(
            a.iter().filter(|v| !matches!(v, Value::Nil)).map(Value::to_go_string).collect::<Vec<_>>().join(" "),
        ),
        "toString" => {
            want(1)?;
            Value::str(a[0].to_go_string())
        }
        "toStrings" => {
            want(1)?;
            Value::list(strslice(&a[0]).into_iter().map(Value::str).collect())
        }
        "regexQuoteMeta" => {
            // Go's `regexp.QuoteMeta`, which escapes fewer characters than `regex::escape`.
            let s = str1(a, name)?;
            let mut out = String::with_capacity(s.len());
            for c in s.chars() {
                if "\\.+*?()|[]{}^$".contains(c) {
                    out.push('\\');
                }
                out.push(c);
            }
            Value::str(out)
        }
        "regexMatch" | "regexFind" | "regexReplaceAll" => {
            at_least(2)?;
            let re = regex::Regex::new(&str_arg(&a[0])?).map_err(|e| Failure::Message(e.to_string()))?;
            let s = str_arg(&a[1])?;
            match name {
                "regexMatch" => Value::Bool(re.is_match(&s)),
                "regexFind" => Value::str(re.find(&s).map_or("", |m| m.as_str())),
                _ => {
                    want(3)?;
                    Value::str(re.replace_all(&s, &*str_arg(&a[2])?).into_owned())
                }
            }
        }
        "b64enc" => Value::str(base64_encode(str1(a, name)?.as_bytes())),
        "b64dec" => Value::str(match base64_decode(&str1(a, name)?) {
            Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            None => "illegal base64 data".to_string(),
        }),
        "sha256sum" => {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(str1(a, name)?.as_bytes());
            Value::str(digest.iter().fold(String::new(), |mut s, b| {
                let _ = write!(s, "{b:02x}");
                s
            }))
        }
        "default" => {
            at_least(1)?;
            match a.get(1) {
                Some(v) if !empty(v) => v.clone(),
                _ => a[0].clone(),
            }
        }
        "empty" => {
            want(1)?;
            Value::Bool(empty(&a[0]))
        }
        "coalesce" => a.iter().find(|v| !empty(v)).cloned().unwrap_or_default(),
        "ternary" => {
            want(3)?;
            match &a[2] {
                Value::Bool(b) => a[if *b { 0 } else { 1 }].clone(),
                v => return fail(format!("wrong type for value; expected bool; got {}", v.type_name())),
            }
        }
        "list" => Value::list(args),
        "append" | "mustAppend" | "prepend" => {
            want(2)?;
            let mut items = list_arg(&a[0], name)?;
            if name == "prepend" {
                items.insert(0, a[1].clone());
            } else {
                items.push(a[1].clone());
            }
            Value::list(items)
        }
        "first" | "last" => {
            want(1)?;
            let items = list_arg(&a[0], name)?;
            (if name == "first" { items.first() } else { items.last() }).cloned().unwrap_or_default()
        }
        "rest" | "initial" | "reverse" | "uniq" | "compact" | "sortAlpha" => {
            want(1)?;
            let mut items = list_arg(&a[0], name)?;
            match name {
                "rest" if !items.is_empty() => {
                    items.remove(0);
                }
                "initial" => {
                    items.pop();
                }
                "reverse" => items.reverse(),
                "uniq" => {
                    let mut out: Vec<Value> = Vec::new();
                    for v in items {
                        if !out.iter().any(|o| equal(o, &v).unwrap_or(false)) {
                            out.push(v);
                        }
                    }
                    items = out;
                }
                "compact" => items.retain(|v| !empty(v)),
                "sortAlpha" => {
                    let mut s = strslice(&a[0]);
                    s.sort();
                    items = s.into_iter().map(Value::str).collect();
                }
                _ => {}
            }
            Value::list(items)
        }
        "has" => {
            want(2)?;
            let items = list_arg(&a[1], name)?;
            Value::Bool(items.iter().any(|v| equal(v, &a[0]).unwrap_or(false)))
        }
        "concat" => {
            let mut out = Vec::new();
            for l in a {
                out.extend(list_arg(l, name)?);
            }
            Value::list(out)
        }
        "without" => {
            at_least(1)?;
            let mut items = list_arg(&a[0], name)?;
            items.retain(|v| !a[1..].iter().any(|w| equal(v, w).unwrap_or(false)));
            Value::list(items)
        }
        "until" => {
            want(1)?;
            let n = int_arg(&a[0])?;
            if n > 1_000_000 {
                return fail(format!("until {n}: more than 1000000 items"));
            }
            Value::list((0..n.max(0)).map(Value::Int).collect())
        }
        "dict" => {
            let mut m = BTreeMap::new();
            for pair in a.chunks(2) {
                m.insert(pair[0].to_go_string(), pair.get(1).cloned().unwrap_or_else(|| Value::str("")));
            }
            Value::map(m)
        }
        "get" => {
            want(2)?;
            let m = map_arg(&a[0], name)?;
            let v = m.borrow().get(&*str_arg(&a[1])?).cloned();
            v.unwrap_or_else(|| Value::str(""))
        }
        "set" => {
            want(3)?;
            let m = map_arg(&a[0], name)?;
            let key = str_arg(&a[1])?.to_string();
            m.borrow_mut().insert(key, a[2].clone());
            a[0].clone()
        }
        "unset" => {
            want(2)?;
            let m = map_arg(&a[0], name)?;
            let key = str_arg(&a[1])?;
            m.borrow_mut().remove(&*key);
            a[0].clone()
        }
        "hasKey" => {
            want(2)?;
            let m = map_arg(&a[0], name)?;
            let key = str_arg(&a[1])?;
            Value::Bool(m.borrow().contains_key(&*key))
        }
        "keys" => {
            let mut out = Vec::new();
            for m in a {
                out.extend(map_arg(m, name)?.borrow().keys().map(|k| Value::str(k.as_str())));
            }
            Value::list(out)
        }
        "pick" | "omit" => {
            at_least(1)?;
            let m = map_arg(&a[0], name)?;
            let names: Vec<String> = a[1..].iter().map(Value::to_go_string).collect();
            let out = m
                .borrow()
                .iter()
                .filter(|(k, _)| names.contains(k) == (name == "pick"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            Value::map(out)
        }
        "merge" | "mergeOverwrite" => {
            at_least(1)?;
            let dst = map_arg(&a[0], name)?;
            for src in &a[1..] {
                let src = map_arg(src, name)?;
                // Read the source first: `merge $d $d` must not borrow one map twice.
                let entries: Vec<(String, Value)> = src.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                merge_into(&dst, entries, name == "mergeOverwrite", 0);
            }
            a[0].clone()
        }
        "deepCopy" => {
            want(1)?;
            a[0].deep_copy(0)
        }
        "dig" => {
            at_least(3)?;
            let (path, rest) = a.split_at(n - 2);
            let mut v = rest[1].clone();
            for k in path {
                let next = match &v {
                    Value::Map(m) => m.borrow().get(&*str_arg(k)?).cloned(),
                    _ => None,
                };
                match next {
                    Some(x) => v = x,
                    None => return Ok(rest[0].clone()),
                }
            }
            v
        }
        "int" | "int64" | "atoi" => {
            want(1)?;
            Value::Int(to_i64(&a[0]))
        }
        "float64" => {
            want(1)?;
            Value::Float(to_f64(&a[0]))
        }
        "add" => Value::Int(a.iter().map(to_i64).fold(0i64, i64::wrapping_add)),
        "mul" => Value::Int(a.iter().map(to_i64).fold(1i64, i64::wrapping_mul)),
        "add1" => {
            want(1)?;
            Value::Int(to_i64(&a[0]).wrapping_add(1))
        }
        "sub" | "div" | "mod" => {
            want(2)?;
            let (x, y) = (to_i64(&a[0]), to_i64(&a[1]));
            Value::Int(match name {
                "sub" => x.wrapping_sub(y),
                _ if y == 0 => return fail("runtime error: integer divide by zero"),
                "div" => x.wrapping_div(y),
                _ => x.wrapping_rem(y),
            })
        }
        "max" | "min" => {
            at_least(1)?;
            let nums = a.iter().map(to_i64);
            Value::Int(if name == "max" { nums.max() } else { nums.min() }.unwrap_or(0))
        }
        "floor" | "ceil" => {
            want(1)?;
            let f = to_f64(&a[0]);
            Value::Float(if name == "floor" { f.floor() } else { f.ceil() })
        }
        "kindOf" => {
            want(1)?;
            Value::str(kind(&a[0]))
        }
        "typeOf" => {
            want(1)?;
            Value::str(a[0].type_name())
        }
        "kindIs" | "typeIs" => {
            want(2)?;
            let wanted = str_arg(&a[0])?;
            Value::Bool(if name == "kindIs" { kind(&a[1]) == &*wanted } else { a[1].type_name() == &*wanted })
        }
        "semverCompare" => {
            want(2)?;
            Value::Bool(semver::matches(&str_arg(&a[0])?, &str_arg(&a[1])?).map_err(Failure::Message)?)
        }
        other => return fail(format!("function {other:?} not defined")),
    })
}

/// Helm's error value for `fromYaml` and `fromJson`: a map with the message under `Error`.
fn error_value(message: &str) -> Value {
    let mut m = BTreeMap::new();
    m.insert("Error".to_string(), Value::str(message));
    Value::map(m)
}

/// Go's `encoding/json` message for a document of the wrong shape.
fn mismatch(name: &str, v: &Value) -> String {
    let found = match v {
        Value::List(_) => "array",
        Value::Map(_) => "object",
        Value::Str(_) => "string",
        Value::Bool(_) => "bool",
        _ => "number",
    };
    let wanted = if name.ends_with("Array") { "[]interface {}" } else { "map[string]interface {}" };
    format!("json: cannot unmarshal {found} into Go value of type {wanted}")
}

fn bounded(len: usize) -> Result<()> {
    if len > super::exec::MAX_OUTPUT {
        return fail(format!("the result would be larger than {} bytes", super::exec::MAX_OUTPUT));
    }
    Ok(())
}

/// Go's `strings.Replace` with an empty old string: the new one around every character.
fn go_replace_empty(s: &str, new: &str) -> String {
    let mut out = String::from(new);
    for c in s.chars() {
        out.push(c);
        out.push_str(new);
    }
    out
}

/// The largest char boundary at or below `i` (Go slices bytes; this keeps the text UTF-8).
fn floor_char(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Nil => "invalid",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Float(_) => "float64",
        Value::Str(_) => "string",
        Value::List(_) => "slice",
        Value::Map(_) => "map",
    }
}

fn merge_into(dst: &super::value::Map, src: Vec<(String, Value)>, overwrite: bool, depth: usize) {
    for (k, v) in src {
        let existing = dst.borrow().get(&k).cloned();
        match (&existing, &v) {
            (Some(Value::Map(d)), Value::Map(s)) if depth < MAX_DEPTH && !std::rc::Rc::ptr_eq(d, s) => {
                let entries: Vec<(String, Value)> = s.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                merge_into(d, entries, overwrite, depth + 1);
            }
            (None | Some(Value::Nil), _) => {
                dst.borrow_mut().insert(k, v);
            }
            (Some(_), v) if overwrite && !empty(v) => {
                dst.borrow_mut().insert(k, v.clone());
            }
            _ => {}
        }
    }
}

/// sprig's `empty`: nil, false, 0, "", and empty lists and maps.
pub fn empty(v: &Value) -> bool {
    !v.truth()
}

/// A string argument, as Go's reflection passes one (no conversion from other types).
fn str_arg(v: &Value) -> Result<std::rc::Rc<str>> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        Value::Nil => fail("invalid value; expected string"),
        v => fail(format!("wrong type for value; expected string; got {}", v.type_name())),
    }
}

fn str1(a: &[Value], name: &str) -> Result<std::rc::Rc<str>> {
    match a {
        [v] => str_arg(v),
        _ => fail(format!("wrong number of args for {name}: want 1 got {}", a.len())),
    }
}

/// An int argument: Go converts only integer values to an `int` parameter.
fn int_arg(v: &Value) -> Result<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Nil => fail("invalid value; expected int"),
        v => fail(format!("wrong type for value; expected int; got {}", v.type_name())),
    }
}

fn list_arg(v: &Value, name: &str) -> Result<Vec<Value>> {
    match v {
        Value::List(l) => Ok(l.as_ref().clone()),
        Value::Nil => fail(format!("cannot {name} on nil")),
        v => fail(format!("cannot {name} on type {}", v.type_name())),
    }
}

fn map_arg(v: &Value, name: &str) -> Result<super::value::Map> {
    match v {
        Value::Map(m) => Ok(m.clone()),
        v => {
            fail(format!("wrong type for value; expected map[string]interface {{}}; got {} (in {name})", v.type_name()))
        }
    }
}

/// sprig's `strslice`: a list's items as strings (nils dropped), or the one value.
fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(l) => l.iter().filter(|v| !matches!(v, Value::Nil)).map(Value::to_go_string).collect(),
        Value::Nil => Vec::new(),
        v => vec![v.to_go_string()],
    }
}

/// spf13/cast's `ToInt64` as sprig uses it: strings parsed (base prefixes allowed), floats
/// truncated, anything else 0.
pub fn to_i64(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Float(f) => *f as i64,
        Value::Bool(b) => i64::from(*b),
        Value::Str(s) => {
            let t = s.trim();
            let t = t.strip_suffix(".0").unwrap_or(t);
            let (neg, body) = match t.strip_prefix('-') {
                Some(b) => (true, b),
                None => (false, t.strip_prefix('+').unwrap_or(t)),
            };
            let n = if let Some(h) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
                i64::from_str_radix(h, 16).ok()
            } else if let Some(b) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
                i64::from_str_radix(b, 2).ok()
            } else if let Some(o) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
                i64::from_str_radix(o, 8).ok()
            } else if body.len() > 1 && body.starts_with('0') {
                i64::from_str_radix(&body[1..], 8).ok()
            } else {
                body.parse().ok()
            };
            n.map_or(0, |n| if neg { -n } else { n })
        }
        _ => 0,
    }
}

fn to_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Str(s) => s.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Go's basic kinds, as `eq` and `lt` compare them.
#[derive(PartialEq)]
enum Kind {
    Bool,
    Int,
    Float,
    Str,
    Nil,
    Other,
}

fn basic(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::Str(_) => Kind::Str,
        Value::Nil => Kind::Nil,
        _ => Kind::Other,
    }
}

/// Go's `eq` of two values: numbers of different kinds do not compare (a float64 from the
/// values and an int literal is an error, as in Helm); nil equals only nil.
fn equal(a: &Value, b: &Value) -> Result<bool> {
    let (ka, kb) = (basic(a), basic(b));
    if ka == Kind::Nil || kb == Kind::Nil {
        return Ok(ka == kb);
    }
    if ka != kb {
        return fail(format!("incompatible types for comparison: {} and {}", a.type_name(), b.type_name()));
    }
    Ok(match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        _ => return fail(format!("non-comparable type {}", a.type_name())),
    })
}

fn order(a: &Value, b: &Value) -> Result<std::cmp::Ordering> {
    let (ka, kb) = (basic(a), basic(b));
    if matches!(ka, Kind::Nil | Kind::Other | Kind::Bool) || matches!(kb, Kind::Nil | Kind::Other | Kind::Bool) {
        return fail("invalid type for comparison");
    }
    if ka != kb {
        return fail(format!("incompatible types for comparison: {} and {}", a.type_name(), b.type_name()));
    }
    Ok(match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal),
        (Value::Str(x), Value::Str(y)) => x.cmp(y),
        _ => std::cmp::Ordering::Equal,
    })
}

/// Go's `strings.Title`: the first letter of each word upper-cased.
fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev = ' ';
    for c in s.chars() {
        if !(prev.is_alphanumeric() || prev == '_' || prev == '\'') {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev = c;
    }
    out
}

/// Go's `strconv.Quote` (what `%q` and sprig's `quote` print).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\x7f' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if !go_printable(c) => {
                if (c as u32) < 0x10000 {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                } else {
                    let _ = write!(out, "\\U{:08x}", c as u32);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `unicode.IsPrint` past ASCII: controls, separators other than
/// the space, and unassigned surrogate-free private ranges are not printable.
fn go_printable(c: char) -> bool {
    let u = c as u32;
    // Go's `strconv.IsPrint` is false for controls, format characters (Cf), private use
    // and separators other than the space: the format characters listed here are Unicode
    // 15's (bidirectional marks, embeddings, isolates, invisible operators, tags).
    const FORMAT: &[(u32, u32)] = &[
        (0xad, 0xad),
        (0x600, 0x605),
        (0x61c, 0x61c),
        (0x6dd, 0x6dd),
        (0x70f, 0x70f),
        (0x890, 0x891),
        (0x8e2, 0x8e2),
        (0x180e, 0x180e),
        (0x200b, 0x200f),
        (0x2028, 0x202e),
        (0x2060, 0x2064),
        (0x2066, 0x206f),
        (0xfeff, 0xfeff),
        (0xfff9, 0xfffb),
        (0x110bd, 0x110bd),
        (0x110cd, 0x110cd),
        (0x13430, 0x1343f),
        (0x1bca0, 0x1bca3),
        (0x1d173, 0x1d17a),
        (0xe0001, 0xe0001),
        (0xe0020, 0xe007f),
    ];
    !((0x80..0xa0).contains(&u)
        || FORMAT.iter().any(|&(a, b)| (a..=b).contains(&u))
        || (0xe000..=0xf8ff).contains(&u)
        || (0xf0000..=0x10ffff).contains(&u)
        || u == 0xfffe
        || u == 0xffff
        || c.is_whitespace() && c != ' ')
}

/// Go's `encoding/json` (what `toJson` prints): keys sorted, `<`, `>`, `&`, U+2028 and
/// U+2029 escaped; `indent` is `toPrettyJson`'s level.
fn json(v: &Value, out: &mut String, indent: Option<usize>, depth: usize) -> std::result::Result<(), String> {
    if depth > MAX_DEPTH {
        return Err("json: unsupported value: encountered a cycle".into());
    }
    let newline = |out: &mut String, level: usize| {
        if indent.is_some() {
            out.push('\n');
            out.push_str(&"  ".repeat(level));
        }
    };
    let level = indent.unwrap_or(0);
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(format!("json: unsupported value: {}", go_float(*f)));
            }
            out.push_str(&json_float(*f));
        }
        Value::Str(s) => json_string(s, out),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                json(item, out, indent.map(|l| l + 1), depth + 1)?;
            }
            if !items.is_empty() {
                newline(out, level);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            let m = m.borrow();
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                json_string(k, out);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                json(item, out, indent.map(|l| l + 1), depth + 1)?;
            }
            if !m.is_empty() {
                newline(out, level);
            }
            out.push('}');
        }
    }
    Ok(())
}

/// A string as Go's `encoding/json` writes it (HTML-safe, as `json.Marshal`; `\b` and `\f`
/// as Go writes them since 1.22).
pub fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let v = B64.iter().position(|&b| b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Go's `fmt.Sprintf` for the verbs templates use: `%v %s %d %q %f %g %e %x %X %t %c %o %b %%`,
/// with flags, width and precision; a wrong argument prints as Go prints it (`%!d(string=x)`).
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut next = 0;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let (mut minus, mut plus, mut zero, mut space, mut sharp) = (false, false, false, false, false);
        while let Some(&f) = chars.peek() {
            match f {
                '-' => minus = true,
                '+' => plus = true,
                '0' => zero = true,
                ' ' => space = true,
                '#' => sharp = true,
                _ => break,
            }
            chars.next();
        }
        let number = |chars: &mut std::iter::Peekable<std::str::Chars>| {
            let mut n: Option<usize> = None;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                n = Some((n.unwrap_or(0) * 10 + d as usize).min(1000));
                chars.next();
            }
            n
        };
        let width = number(&mut chars);
        let precision = if chars.peek() == Some(&'.') {
            chars.next();
            Some(number(&mut chars).unwrap_or(0))
        } else {
            None
        };
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next) else {
            let _ = write!(out, "%!{verb}(MISSING)");
            continue;
        };
        next += 1;
        let bad = |arg: &Value| match arg {
            Value::Nil => format!("%!{verb}(<nil>)"),
            v => format!("%!{verb}({}={})", v.type_name(), v.to_go_string()),
        };
        let sign = |neg: bool| {
            if neg {
                "-"
            } else if plus {
                "+"
            } else if space {
                " "
            } else {
                ""
            }
        };
        let (text, numeric) = match (verb, arg) {
            ('v', v) => (
                match v {
                    Value::Str(s) if sharp => go_quote(s),
                    v => v.to_go_string(),
                },
                false,
            ),
            ('s', Value::Str(s)) => (precision.map_or(s.to_string(), |p| s.chars().take(p).collect()), false),
            ('s', v @ (Value::List(_) | Value::Map(_))) => (v.to_go_string(), false),
            ('q', Value::Str(s)) => (go_quote(s), false),
            ('q', Value::Int(i)) => {
                (format!("'{}'", char::from_u32(*i as u32).map_or("\u{fffd}".to_string(), |c| c.to_string())), false)
            }
            ('t', Value::Bool(b)) => (b.to_string(), false),
            ('d', Value::Int(i)) => (format!("{}{}", sign(*i < 0), i.unsigned_abs()), true),
            ('c', Value::Int(i)) => {
                (char::from_u32(*i as u32).map_or("\u{fffd}".to_string(), |c| c.to_string()), false)
            }
            ('x' | 'X' | 'o' | 'b', Value::Int(i)) => {
                let abs = i.unsigned_abs();
                let body = match verb {
                    'x' => format!("{abs:x}"),
                    'X' => format!("{abs:X}"),
                    'o' => format!("{abs:o}"),
                    _ => format!("{abs:b}"),
                };
                (format!("{}{body}", sign(*i < 0)), true)
            }
            ('x' | 'X', Value::Str(s)) => {
                let hex: String = s.bytes().map(|b| format!("{b:02x}")).collect();
                (if verb == 'X' { hex.to_uppercase() } else { hex }, false)
            }
            ('f' | 'F' | 'e' | 'g', Value::Float(_) | Value::Int(_)) if matches!(arg, Value::Float(_)) => {
                let Value::Float(f) = arg else { unreachable!() };
                let body = match verb {
                    'f' | 'F' => format!("{:.*}", precision.unwrap_or(6), f.abs()),
                    'e' => {
                        let s = format!("{:.*e}", precision.unwrap_or(6), f.abs());
                        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
                        let e: i32 = e.parse().unwrap_or(0);
                        format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
                    }
                    _ => go_float(f.abs()),
                };
                (format!("{}{body}", sign(f.is_sign_negative() && *f != 0.0)), true)
            }
            (_, v) => (bad(v), false),
        };
        let len = text.chars().count();
        match width {
            Some(w) if w > len => {
                let pad = w - len;
                if minus {
                    out.push_str(&text);
                    out.push_str(&" ".repeat(pad));
                } else if zero && numeric {
                    let (s, digits) = match text.chars().next() {
                        Some(c @ ('-' | '+' | ' ')) => (c.to_string(), &text[1..]),
                        _ => (String::new(), &text[..]),
                    };
                    out.push_str(&s);
                    out.push_str(&"0".repeat(pad));
                    out.push_str(digits);
                } else {
                    out.push_str(&" ".repeat(pad));
                    out.push_str(&text);
                }
            }
            _ => out.push_str(&text),
        }
    }
    if next < args.len() {
        out.push_str("%!(EXTRA ");
        let extra: Vec<String> = args[next..]
            .iter()
            .map(|v| match v {
                Value::Nil => "<nil>".to_string(),
                v => format!("{}={}", v.type_name(), v.to_go_string()),
            })
            .collect();
        out.push_str(&extra.join(", "));
        out.push(')');
    }
    out
}
