//! Helm's `toYaml`: sigs.k8s.io/yaml, which writes the value as JSON and that JSON through
//! go-yaml v2's emitter (libyaml's rules): keys in go-yaml's natural order, two-space indent,
//! list items level with their key, a string quoted only when it would read back as another
//! type or its characters need it, long lines folded at spaces past column 80, multi-line
//! strings as literal blocks.

use std::cmp::Ordering;

use super::value::{MAX_DEPTH, Value, go_float, json_float};

/// libyaml's preferred width: a plain or quoted scalar breaks at a space past this column.
const BEST_WIDTH: usize = 80;

/// The YAML text of `v`, ending with a newline (Helm trims it).
pub fn to_yaml(v: &Value) -> Result<String, String> {
    let mut e = Emitter { out: String::new() };
    match v {
        Value::Map(m) if !m.borrow().is_empty() => e.map(v, 0, false, 0)?,
        Value::List(l) if !l.is_empty() => e.list(v, 0, false, 0)?,
        v => {
            e.scalar(v, 2, false)?;
            e.out.push('\n');
        }
    }
    Ok(e.out)
}

struct Emitter {
    out: String,
}

/// Whether a value is written on its key's line (a scalar, `{}` or `[]`).
fn inline(v: &Value) -> bool {
    match v {
        Value::Map(m) => m.borrow().is_empty(),
        Value::List(l) => l.is_empty(),
        _ => true,
    }
}

impl Emitter {
    fn column(&self) -> usize {
        let line = self.out.rsplit('\n').next().unwrap_or("");
        line.chars().count()
    }

    fn pad(&mut self, n: usize) {
        self.out.extend(std::iter::repeat_n(' ', n));
    }

    /// A map at `indent`; `first_inline` when its first key follows a `- ` already written.
    fn map(&mut self, v: &Value, indent: usize, first_inline: bool, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("error marshaling into JSON: json: unsupported value: encountered a cycle".into());
        }
        let Value::Map(m) = v else { return Ok(()) };
        let mut entries: Vec<(String, Value)> = m.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        entries.sort_by(|a, b| key_order(&a.0, &b.0));
        for (i, (k, val)) in entries.iter().enumerate() {
            if i > 0 || !first_inline {
                self.pad(indent);
            }
            // libyaml writes a key of several lines, or over 128 characters, as a complex key.
            if k.contains('\n') || k.chars().count() > 128 {
                self.out.push_str("? ");
                self.string(k, indent + 2, false);
                self.out.push('\n');
                self.pad(indent);
            } else {
                self.string(k, indent + 2, true);
            }
            self.out.push(':');
            if inline(val) {
                self.out.push(' ');
                self.scalar(val, indent + 2, false)?;
                self.out.push('\n');
            } else if let Value::Map(_) = val {
                self.out.push('\n');
                self.map(val, indent + 2, false, depth + 1)?;
            } else {
                self.out.push('\n');
                self.list(val, indent, false, depth + 1)?;
            }
        }
        Ok(())
    }

    fn list(&mut self, v: &Value, indent: usize, first_inline: bool, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("error marshaling into JSON: json: unsupported value: encountered a cycle".into());
        }
        let Value::List(items) = v else { return Ok(()) };
        for (i, item) in items.iter().enumerate() {
            if i > 0 || !first_inline {
                self.pad(indent);
            }
            self.out.push_str("- ");
            if inline(item) {
                self.scalar(item, indent + 2, false)?;
                self.out.push('\n');
            } else if let Value::Map(_) = item {
                self.map(item, indent + 2, true, depth + 1)?;
            } else {
                self.list(item, indent + 2, true, depth + 1)?;
            }
        }
        Ok(())
    }

    /// A scalar (or `{}`/`[]`) whose continuation lines are at `indent`.
    fn scalar(&mut self, v: &Value, indent: usize, key: bool) -> Result<(), String> {
        match v {
            Value::Nil => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => self.out.push_str(&i.to_string()),
            Value::Float(f) => {
                if !f.is_finite() {
                    return Err(format!("error marshaling into JSON: json: unsupported value: {}", go_float(*f)));
                }
                // Through JSON, an integral float64 reads back as an int; another as a float64
                // that go-yaml prints with `%g`.
                let json = json_float(*f);
                if json.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                    self.out.push_str(&json);
                } else {
                    self.out.push_str(&go_float(*f));
                }
            }
            Value::Str(s) => self.string(s, indent, key),
            Value::Map(_) => self.out.push_str("{}"),
            Value::List(_) => self.out.push_str("[]"),
        }
        Ok(())
    }

    fn string(&mut self, s: &str, indent: usize, key: bool) {
        let a = analyze(s);
        let mut style = if s.contains('\n') {
            Style::Literal
        } else if !resolves_to_other_type(s) {
            Style::Plain
        } else {
            Style::Double
        };
        if style == Style::Plain && (!a.block_plain || (s.is_empty() && key)) {
            style = Style::Single;
        }
        if style == Style::Single && !a.single {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block || key) {
            style = Style::Double;
        }
        let breaks = !key;
        match style {
            Style::Plain => self.plain(s, indent, breaks),
            Style::Single => self.single(s, indent, breaks),
            Style::Double => self.double(s, indent, breaks),
            Style::Literal => self.literal(s, indent),
        }
    }

    fn break_line(&mut self, indent: usize) {
        self.out.push('\n');
        self.pad(indent);
    }

    fn plain(&mut self, s: &str, indent: usize, breaks: bool) {
        let chars: Vec<char> = s.chars().collect();
        let mut column = self.column();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if breaks && !spaces && column > BEST_WIDTH && chars.get(i + 1) != Some(&' ') {
                    self.break_line(indent);
                    column = indent;
                } else {
                    self.out.push(c);
                    column += 1;
                }
                spaces = true;
            } else {
                self.out.push(c);
                column += 1;
                spaces = false;
            }
        }
    }

    fn single(&mut self, s: &str, indent: usize, breaks: bool) {
        let chars: Vec<char> = s.chars().collect();
        self.out.push('\'');
        let mut column = self.column();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if breaks
                    && !spaces
                    && column > BEST_WIDTH
                    && i != 0
                    && i + 1 != chars.len()
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.break_line(indent);
                    column = indent;
                } else {
                    self.out.push(c);
                    column += 1;
                }
                spaces = true;
            } else {
                if c == '\'' {
                    self.out.push('\'');
                    column += 1;
                }
                self.out.push(c);
                column += 1;
                spaces = false;
            }
        }
        self.out.push('\'');
    }

    fn double(&mut self, s: &str, indent: usize, breaks: bool) {
        let chars: Vec<char> = s.chars().collect();
        self.out.push('"');
        let mut column = self.column();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                let esc = match c {
                    '\0' => "\\0".to_string(),
                    '\x07' => "\\a".to_string(),
                    '\x08' => "\\b".to_string(),
                    '\t' => "\\t".to_string(),
                    '\n' => "\\n".to_string(),
                    '\x0b' => "\\v".to_string(),
                    '\x0c' => "\\f".to_string(),
                    '\r' => "\\r".to_string(),
                    '\x1b' => "\\e".to_string(),
                    '"' => "\\\"".to_string(),
                    '\\' => "\\\\".to_string(),
                    '\u{85}' => "\\N".to_string(),
                    '\u{a0}' => "\\_".to_string(),
                    '\u{2028}' => "\\L".to_string(),
                    '\u{2029}' => "\\P".to_string(),
                    c if (c as u32) <= 0xff => format!("\\x{:02X}", c as u32),
                    c if (c as u32) <= 0xffff => format!("\\u{:04X}", c as u32),
                    c => format!("\\U{:08X}", c as u32),
                };
                column += esc.len();
                self.out.push_str(&esc);
                spaces = false;
            } else if c == ' ' {
                if breaks && !spaces && column > BEST_WIDTH && i != 0 && i + 1 != chars.len() {
                    self.break_line(indent);
                    column = indent;
                    if chars.get(i + 1) == Some(&' ') {
                        self.out.push('\\');
                        column += 1;
                    }
                } else {
                    self.out.push(c);
                    column += 1;
                }
                spaces = true;
            } else {
                self.out.push(c);
                column += 1;
                spaces = false;
            }
        }
        self.out.push('"');
    }

    fn literal(&mut self, s: &str, indent: usize) {
        self.out.push('|');
        if s.starts_with(' ') || s.starts_with(is_break) {
            self.out.push('2');
        }
        let last = s.chars().last();
        let before_last = s.chars().rev().nth(1);
        match (last, before_last) {
            (Some(l), _) if !is_break(l) => self.out.push('-'),
            (Some(_), None) => self.out.push('+'),
            (Some(_), Some(b)) if is_break(b) => self.out.push('+'),
            _ => {}
        }
        self.out.push('\n');
        let body = s.strip_suffix('\n').unwrap_or(s);
        for line in body.split('\n') {
            if !line.is_empty() {
                self.pad(indent);
                self.out.push_str(line);
            }
            self.out.push('\n');
        }
        // The caller ends every scalar with a line break: this one already has it.
        self.out.pop();
    }
}

#[derive(PartialEq, Clone, Copy)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// What libyaml's `yaml_emitter_analyze_scalar` allows for a string.
struct Allowed {
    block_plain: bool,
    single: bool,
    block: bool,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: Option<char>) -> bool {
    c.is_none_or(|c| c == ' ' || c == '\t' || is_break(c))
}

/// libyaml's `is_printable`: tab and carriage return are not.
fn printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0a
        || (0x20..=0x7e).contains(&u)
        || u == 0x85
        || (0xa0..=0xd7ff).contains(&u)
        || ((0xe000..=0xfffd).contains(&u) && u != 0xfeff)
        || (0x10000..=0x10ffff).contains(&u)
}

fn analyze(s: &str) -> Allowed {
    if s.is_empty() {
        return Allowed { block_plain: true, single: true, block: false };
    }
    let chars: Vec<char> = s.chars().collect();
    // Flow indicators matter only inside flow collections, which this emitter never writes.
    let mut block_ind = s.starts_with("---") || s.starts_with("...");
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) = (false, false, false, false);
    let (mut break_space, mut space_break, mut special, mut line_breaks) = (false, false, false, false);
    let (mut prev_space, mut prev_break) = (false, false);
    let mut preceded_by_ws = true;
    let last = chars.len() - 1;
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_ws = is_blank(chars.get(i + 1).copied());
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' => {
                    block_ind = true;
                }
                '?' | ':' | '-' if followed_by_ws => block_ind = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_ws => block_ind = true,
                '#' if preceded_by_ws => block_ind = true,
                _ => {}
            }
        }
        if !printable(c) || c == '\u{feff}' {
            special = true;
        }
        if is_break(c) {
            line_breaks = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i == last {
                trailing_space = true;
            }
            if prev_break {
                break_space = true;
            }
            prev_space = true;
            prev_break = false;
        } else if is_break(c) {
            if i == 0 {
                leading_break = true;
            }
            if i == last {
                trailing_break = true;
            }
            if prev_space {
                space_break = true;
            }
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = false;
            prev_break = false;
        }
        preceded_by_ws = is_blank(Some(c));
    }
    let mut a = Allowed { block_plain: true, single: true, block: true };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain = false;
    }
    if trailing_space {
        a.block = false;
    }
    if break_space {
        a.block_plain = false;
        a.single = false;
    }
    if space_break || special {
        a.block_plain = false;
        a.single = false;
        a.block = false;
    }
    if line_breaks || block_ind {
        a.block_plain = false;
    }
    a
}

/// Whether go-yaml v2 would read the string, unquoted, as something other than a string:
/// null, a YAML 1.1 boolean, an int (any base Go parses, `_` allowed), a float, a base-60
/// number, a timestamp.
fn resolves_to_other_type(s: &str) -> bool {
    const WORDS: [&str; 35] = [
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True",
        "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", ".inf", ".Inf", ".INF", "+.inf",
        "-.inf", ".nan", ".NaN", ".NAN",
    ];
    if WORDS.contains(&s) || matches!(s, "+.Inf" | "+.INF" | "-.Inf" | "-.INF") {
        return true;
    }
    let Some(first) = s.chars().next() else { return true };
    if !(first.is_ascii_digit() || matches!(first, '+' | '-' | '.')) {
        return false;
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if first.is_ascii_digit() && timestamp(s) {
        return true;
    }
    go_int(&plain) || yaml_float(&plain) || base60(s)
}

/// Go's `strconv.ParseInt(s, 0, 64)` or `ParseUint` succeeding (overflow aside: a long run of
/// digits is a float anyway).
fn go_int(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let digits = |d: &str, radix: u32| !d.is_empty() && d.chars().all(|c| c.is_digit(radix));
    if let Some(h) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        digits(h, 16)
    } else if let Some(b) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        digits(b, 2)
    } else if let Some(o) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        digits(o, 8)
    } else if body.len() > 1 && body.starts_with('0') {
        digits(&body[1..], 8)
    } else {
        digits(body, 10)
    }
}

/// go-yaml's float pattern: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn yaml_float(s: &str) -> bool {
    let b = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exp) = match b.find(['e', 'E']) {
        Some(i) => (&b[..i], Some(&b[i + 1..])),
        None => (b, None),
    };
    let digits = |d: &str| d.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => !frac.is_empty() && digits(frac),
        Some((int, frac)) => !int.is_empty() && digits(int) && digits(frac),
        None => !mantissa.is_empty() && digits(mantissa),
    };
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exp_ok
}

/// go-yaml's base-60 float: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
fn base60(s: &str) -> bool {
    let b = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (main, frac) = match b.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (b, None),
    };
    let mut parts = main.split(':');
    let head = parts.next().unwrap_or("");
    let head_ok =
        head.starts_with(|c: char| c.is_ascii_digit()) && head.chars().all(|c| c.is_ascii_digit() || c == '_');
    let rest: Vec<&str> = parts.collect();
    let rest_ok = !rest.is_empty()
        && rest.iter().all(|p| {
            let p = p.as_bytes();
            match p {
                [d] => d.is_ascii_digit(),
                [a, d] => (b'0'..=b'5').contains(a) && d.is_ascii_digit(),
                _ => false,
            }
        });
    head_ok && rest_ok && frac.is_none_or(|f| f.chars().all(|c| c.is_ascii_digit() || c == '_'))
}

/// go-yaml's timestamps: `2006-1-2`, optionally followed by a time (`T`, `t` or a space).
fn timestamp(s: &str) -> bool {
    let date_end = s.find(['T', 't', ' ']).unwrap_or(s.len());
    let parts: Vec<&str> = s[..date_end].split('-').collect();
    let date = parts.len() == 3
        && parts[0].len() == 4
        && (1..=2).contains(&parts[1].len())
        && (1..=2).contains(&parts[2].len())
        && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()));
    if !date {
        return false;
    }
    if date_end == s.len() {
        return true;
    }
    // A time after the date: hours:minutes:seconds at least.
    let time = &s[date_end + 1..];
    let hms: Vec<&str> = time.split(':').collect();
    hms.len() >= 3 && hms[..2].iter().all(|p| (1..=2).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()))
}

/// go-yaml v2's order of map keys: letters after other characters, runs of digits compared
/// as numbers (`a2` before `a10`).
pub fn key_order(a: &str, b: &str) -> Ordering {
    let (ar, br): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let less = |x: &[char], y: &[char]| -> Option<bool> {
        for i in 0..x.len().min(y.len()) {
            if x[i] == y[i] {
                continue;
            }
            let (al, bl) = (x[i].is_alphabetic(), y[i].is_alphabetic());
            if al && bl {
                return Some(x[i] < y[i]);
            }
            if al || bl {
                return Some(bl);
            }
            let (mut an, mut bn) = (0i64, 0i64);
            if x[i] == '0' || y[i] == '0' {
                let mut j = i;
                while j > 0 && x[j - 1].is_ascii_digit() {
                    j -= 1;
                    if x[j] != '0' {
                        an = 1;
                        bn = 1;
                        break;
                    }
                }
            }
            let mut ai = i;
            while ai < x.len() && x[ai].is_ascii_digit() {
                an = an.wrapping_mul(10).wrapping_add(i64::from(x[ai] as u8 - b'0'));
                ai += 1;
            }
            let mut bi = i;
            while bi < y.len() && y[bi].is_ascii_digit() {
                bn = bn.wrapping_mul(10).wrapping_add(i64::from(y[bi] as u8 - b'0'));
                bi += 1;
            }
            if an != bn {
                return Some(an < bn);
            }
            if ai != bi {
                return Some(ai < bi);
            }
            return Some(x[i] < y[i]);
        }
        None
    };
    match less(&ar, &br) {
        Some(true) => Ordering::Less,
        Some(false) => {
            if less(&br, &ar) == Some(true) {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        }
        None => ar.len().cmp(&br.len()),
    }
}
