//! Plain scalars resolved with the YAML 1.2 core schema (so `yes`, `on` and `no` are strings),
//! or as go-yaml v2 resolves them (YAML 1.1: kubectl's reading of a manifest).

use super::Value;

/// The value of a plain (unquoted) scalar.
pub fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let digits = |t: &str, radix: u32| !t.is_empty() && t.chars().all(|c| c.is_digit(radix));
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits(unsigned, 10) {
        return s.parse::<i64>().map_or_else(|_| Value::Float(s.parse().unwrap_or(f64::NAN)), Value::Int);
    }
    for (prefix, radix) in [("0x", 16), ("0o", 8)] {
        if let Some(rest) = s.strip_prefix(prefix).filter(|r| digits(r, radix))
            && let Ok(i) = i64::from_str_radix(rest, radix)
        {
            return Value::Int(i);
        }
    }
    if is_float(unsigned)
        && let Ok(f) = s.parse::<f64>()
    {
        return Value::Float(f);
    }
    Value::Str(s.to_string())
}

/// The value of a plain scalar as go-yaml v2 resolves it, which `sigs.k8s.io/yaml` (kubectl,
/// the API machinery) reads manifests with: YAML 1.1's booleans (`y`, `yes`, `on`, `n`, `no`,
/// `off` in three casings), integers as Go's `ParseInt` with base 0 reads them once `_` are
/// dropped (`0644` is octal, `0b101` binary, `0x1F` hexadecimal), then floats.
pub fn resolve_plain_yaml11(s: &str) -> Value {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => return Value::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => return Value::Bool(false),
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => return resolve_plain(s),
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        _ => {}
    }
    match s.as_bytes().first() {
        Some(b'.') => {
            return match resolve_plain(s) {
                v @ Value::Float(_) => v,
                _ => match s.parse::<f64>() {
                    Ok(f) if is_float(s) => Value::Float(f),
                    _ => Value::Str(s.to_string()),
                },
            };
        }
        Some(b'0'..=b'9' | b'+' | b'-') => {}
        _ => return Value::Str(s.to_string()),
    }
    let plain = s.replace('_', "");
    if let Some(i) = go_parse_int(&plain) {
        return i;
    }
    let unsigned = plain.strip_prefix(['-', '+']).unwrap_or(&plain);
    if is_float(unsigned)
        && let Ok(f) = plain.parse::<f64>()
    {
        return Value::Float(f);
    }
    // `-.inf` and its kin start with a sign.
    match resolve_plain(s) {
        v @ Value::Float(_) => v,
        _ => Value::Str(s.to_string()),
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` (then `ParseUint`, kept as a float here): a sign, then
/// `0x`, `0o`, `0b` or a leading `0` (octal) for the base.
fn go_parse_int(s: &str) -> Option<Value> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (digits, radix) = if let Some(rest) = lower.strip_prefix("0x") {
        (rest, 16)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (rest, 8)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (rest, 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (&lower[1..], 8)
    } else {
        (lower.as_str(), 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    match (negative, i64::try_from(magnitude)) {
        (false, Ok(i)) => Some(Value::Int(i)),
        (true, _) if magnitude <= i64::MAX as u64 + 1 => Some(Value::Int((magnitude as i128).wrapping_neg() as i64)),
        (false, Err(_)) => Some(Value::Float(magnitude as f64)),
        (true, _) => None,
    }
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, the core schema's float.
fn is_float(s: &str) -> bool {
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (mantissa, None),
    };
    let all_digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok =
        all_digits(int) && frac.is_none_or(all_digits) && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exp_ok
}

/// The value of a scalar with an explicit core-schema tag, or `None` when the text does not
/// fit the tag.
pub fn resolve_tagged(suffix: &str, text: &str) -> Option<Value> {
    match suffix {
        "str" => Some(Value::Str(text.to_string())),
        "null" => matches!(resolve_plain(text), Value::Null).then_some(Value::Null),
        "bool" => match resolve_plain(text) {
            v @ Value::Bool(_) => Some(v),
            _ => None,
        },
        "int" => match resolve_plain(text) {
            v @ Value::Int(_) => Some(v),
            _ => None,
        },
        "float" => match resolve_plain(text) {
            Value::Int(i) => Some(Value::Float(i as f64)),
            v @ Value::Float(_) => Some(v),
            _ => None,
        },
        _ => None,
    }
}
