//! The values a template works on, with Go's printing, truth and type names.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// A map as Go's `map[string]interface{}`: shared, mutable in place (`set`, `unset`, `merge`
/// change the map every holder sees, as in Go), iterated in key order.
pub type Map = Rc<RefCell<BTreeMap<String, Value>>>;

/// A value during evaluation: what Helm's `interface{}` values hold.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// Go's untyped nil: a missing map key, `nil`, a YAML null.
    #[default]
    Nil,
    Bool(bool),
    /// Go's int and int64: literals, `len`, sprig's arithmetic, `.Release.Revision`.
    Int(i64),
    /// Go's float64: every number of the values (Helm reads them through JSON).
    Float(f64),
    Str(Rc<str>),
    List(Rc<Vec<Value>>),
    Map(Map),
}

impl Value {
    /// A string value.
    pub fn str(s: impl Into<Rc<str>>) -> Value {
        Value::Str(s.into())
    }

    /// A new map value.
    pub fn map(entries: BTreeMap<String, Value>) -> Value {
        Value::Map(Rc::new(RefCell::new(entries)))
    }

    /// A new list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items))
    }

    /// The value of a JSON value, numbers as Helm reads values: float64.
    pub fn from_json(json: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match json {
            J::Null => Value::Nil,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
            J::String(s) => Value::str(s.as_str()),
            J::Array(items) => Value::list(items.iter().map(Value::from_json).collect()),
            J::Object(m) => Value::map(m.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect()),
        }
    }

    /// The JSON value; `None` past `depth` levels (a map that holds itself through `set`).
    pub fn to_json(&self, depth: usize) -> Option<serde_json::Value> {
        use serde_json::Value as J;
        if depth == 0 {
            return None;
        }
        Some(match self {
            Value::Nil => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.to_string()),
            Value::List(items) => J::Array(items.iter().map(|v| v.to_json(depth - 1)).collect::<Option<_>>()?),
            Value::Map(m) => J::Object(
                m.borrow().iter().map(|(k, v)| Some((k.clone(), v.to_json(depth - 1)?))).collect::<Option<_>>()?,
            ),
        })
    }

    /// Go's truth of a value: `if`, `with`, `and`, `or`, `not`.
    pub fn truth(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.borrow().is_empty(),
        }
    }

    /// Go's type name, for messages (`float64`, `map[string]interface {}`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::List(_) => "[]interface {}",
            Value::Map(_) => "map[string]interface {}",
        }
    }

    /// The string, when the value is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value as `{{ . }}` prints it: Go's `%v`, with a nil printed as `<no value>` (Helm
    /// then removes that text from the file).
    pub fn print(&self, out: &mut String) {
        match self {
            Value::Nil => out.push_str("<no value>"),
            v => v.format(out, 0),
        }
    }

    /// Go's `%v`; `depth` bounds a map that holds itself.
    pub fn format(&self, out: &mut String, depth: usize) {
        if depth > MAX_DEPTH {
            out.push_str("...");
            return;
        }
        match self {
            Value::Nil => out.push_str("<nil>"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Float(f) => out.push_str(&go_float(*f)),
            Value::Str(s) => out.push_str(s),
            Value::List(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    v.format(out, depth + 1);
                }
                out.push(']');
            }
            Value::Map(m) => {
                out.push_str("map[");
                for (i, (k, v)) in m.borrow().iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(k);
                    out.push(':');
                    v.format(out, depth + 1);
                }
                out.push(']');
            }
        }
    }

    /// Go's `fmt.Sprint` of one value (sprig's `strval`, `toString`).
    pub fn to_go_string(&self) -> String {
        let mut s = String::new();
        self.format(&mut s, 0);
        s
    }

    /// An independent copy (sprig's `deepCopy`, and each render's own `.Values`).
    pub fn deep_copy(&self, depth: usize) -> Value {
        match self {
            _ if depth > MAX_DEPTH => Value::Nil,
            Value::List(items) => Value::list(items.iter().map(|v| v.deep_copy(depth + 1)).collect()),
            Value::Map(m) => Value::map(m.borrow().iter().map(|(k, v)| (k.clone(), v.deep_copy(depth + 1))).collect()),
            v => v.clone(),
        }
    }
}

/// A template can nest values a million deep (`$d = dict "x" $d` in a range): dropping such a
/// value recursively would overflow the stack, so a value's children are dropped from a list.
impl Drop for Value {
    fn drop(&mut self) {
        let mut pending = Vec::new();
        take_children(self, &mut pending);
        while let Some(mut v) = pending.pop() {
            take_children(&mut v, &mut pending);
        }
    }
}

/// Moves the children of a list or map only this value holds into `into`.
fn take_children(v: &mut Value, into: &mut Vec<Value>) {
    match v {
        Value::List(items) => {
            if let Some(items) = Rc::get_mut(items) {
                into.append(items);
            }
        }
        Value::Map(m) => {
            if let Some(m) = Rc::get_mut(m) {
                into.extend(std::mem::take(m.get_mut()).into_values());
            }
        }
        _ => {}
    }
}

/// Deepest nesting printed or converted; deeper is a map that holds itself.
pub const MAX_DEPTH: usize = 200;

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`, which `%v` prints a float64 with: the shortest
/// digits, in exponent form when the exponent is under -4 or 6 and over (`1e+06`, `123456`,
/// `1e-05`). Helm reads every number of the values as a float64, so a value of 1000000
/// prints `1e+06`.
pub fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let (neg, digits, exp) = shortest_digits(f);
    let sign = if neg { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let mantissa = if digits.len() > 1 { format!("{}.{}", &digits[..1], &digits[1..]) } else { digits.clone() };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{mantissa}e{esign}{:02}", exp.abs());
    }
    format!("{sign}{}", fixed(&digits, exp))
}

/// Go's `encoding/json` form of a float64: `'f'` unless the exponent is under -6 or 21 and
/// over, then `'e'` with the exponent's leading zero dropped (`1e-7`, `1e+21`).
pub fn json_float(f: f64) -> String {
    if !f.is_finite() {
        return "null".into();
    }
    if f == 0.0 {
        return "0".into();
    }
    let (neg, digits, exp) = shortest_digits(f);
    let sign = if neg { "-" } else { "" };
    let abs = f.abs();
    if !(1e-6..1e21).contains(&abs) {
        let mantissa = if digits.len() > 1 { format!("{}.{}", &digits[..1], &digits[1..]) } else { digits.clone() };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{mantissa}e{esign}{}", exp.abs());
    }
    format!("{sign}{}", fixed(&digits, exp))
}

/// The shortest round-tripping decimal digits of `f` and its decimal exponent (`d.ddd × 10^exp`).
fn shortest_digits(f: f64) -> (bool, String, i32) {
    // Rust's `{:e}` prints the shortest round-tripping digits: `1.2345e6`.
    let s = format!("{:e}", f.abs());
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    (f < 0.0, digits, exp.parse().unwrap_or(0))
}

/// `digits × 10^(exp - len + 1)` written out without an exponent.
fn fixed(digits: &str, exp: i32) -> String {
    let n = digits.len() as i32;
    if exp < 0 {
        format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
    } else if exp + 1 >= n {
        format!("{}{}", digits, "0".repeat((exp + 1 - n) as usize))
    } else {
        let (a, b) = digits.split_at((exp + 1) as usize);
        format!("{a}.{b}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_go_prints_them() {
        for (f, go) in [
            (1e6, "1e+06"),
            (123456.0, "123456"),
            (1.5, "1.5"),
            (2.0, "2"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1234567.0, "1.234567e+06"),
            (-2.5, "-2.5"),
        ] {
            assert_eq!(go_float(f), go, "{f}");
        }
        for (f, js) in [(1e21, "1e+21"), (1e-7, "1e-7"), (123456789.0, "123456789"), (1e6, "1000000"), (0.5, "0.5")] {
            assert_eq!(json_float(f), js, "{f}");
        }
    }
}
