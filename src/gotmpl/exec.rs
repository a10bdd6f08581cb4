//! Executes a parsed template as Go's text/template does with Helm's options
//! (`missingkey=zero`): the walk of the tree, variables, `range`/`with`/`if`, and the
//! functions that need the engine (`include`, `tpl`, `template`, `required`, `fail`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::funcs;
use super::parse::{self, Arg, Branch, Cmd, Define, Node, Pipe, Source};
use super::value::Value;

/// Most steps (nodes walked and functions called) one file's render may take.
pub const MAX_STEPS: u64 = 5_000_000;
/// Deepest nesting of `include`, `template` and `tpl` (Helm's own limit).
pub const MAX_INCLUDE_DEPTH: usize = 1000;
/// Largest text one render, `include` or function may produce, in bytes.
pub const MAX_OUTPUT: usize = 16 * 1024 * 1024;
/// Most iterations of a `range` over an integer.
pub const MAX_RANGE_INT: i64 = 1_000_000;

/// An execution failure: the template it happened in, the offset, and the message.
#[derive(Debug)]
pub struct ExecError {
    pub source: Arc<Source>,
    pub offset: usize,
    pub message: String,
}

type Result<T> = std::result::Result<T, ExecError>;

/// What a list of nodes ended with.
enum Flow {
    Normal,
    Break,
    Continue,
}

/// One render's state: the named templates, the variables in scope, the budget.
pub struct State<'c> {
    pub defines: &'c HashMap<String, Arc<Define>>,
    vars: Vec<(String, Value)>,
    source: Arc<Source>,
    depth: usize,
    steps: u64,
}

impl<'c> State<'c> {
    /// A state for rendering templates of `defines`.
    pub fn new(defines: &'c HashMap<String, Arc<Define>>, source: Arc<Source>) -> Self {
        State { defines, vars: Vec::new(), source, depth: 0, steps: 0 }
    }

    fn fail(&self, offset: usize, message: impl Into<String>) -> ExecError {
        ExecError { source: self.source.clone(), offset, message: message.into() }
    }

    fn step(&mut self, offset: usize) -> Result<()> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(self.fail(offset, format!("the template took more than {MAX_STEPS} steps")));
        }
        Ok(())
    }

    /// Runs a body with `dot` (and `$` set to it) into `out`.
    pub fn run(&mut self, source: &Arc<Source>, body: &[Node], dot: &Value, out: &mut String) -> Result<()> {
        let saved_source = std::mem::replace(&mut self.source, source.clone());
        let saved_vars = std::mem::replace(&mut self.vars, vec![("$".into(), dot.clone())]);
        let result = self.list(body, dot, out);
        self.vars = saved_vars;
        self.source = saved_source;
        match result? {
            Flow::Normal => Ok(()),
            _ => Err(self.fail(0, "break or continue outside range")),
        }
    }

    fn list(&mut self, nodes: &[Node], dot: &Value, out: &mut String) -> Result<Flow> {
        for node in nodes {
            match self.node(node, dot, out)? {
                Flow::Normal => {}
                flow => return Ok(flow),
            }
        }
        Ok(Flow::Normal)
    }

    fn write(&self, out: &mut String, text: &str, offset: usize) -> Result<()> {
        if out.len() + text.len() > MAX_OUTPUT {
            return Err(self.fail(offset, format!("the output is larger than {MAX_OUTPUT} bytes")));
        }
        out.push_str(text);
        Ok(())
    }

    fn node(&mut self, node: &Node, dot: &Value, out: &mut String) -> Result<Flow> {
        match node {
            Node::Text(t) => {
                self.write(out, t, 0)?;
            }
            Node::Action(pipe) => {
                self.step(pipe.pos)?;
                let v = self.pipe(dot, pipe, true)?;
                if pipe.decl.is_empty() {
                    let mut s = String::new();
                    v.print(&mut s);
                    self.write(out, &s, pipe.pos)?;
                }
            }
            Node::If(b) | Node::With(b) => {
                self.step(b.pipe.pos)?;
                let mark = self.vars.len();
                let v = self.pipe(dot, &b.pipe, true)?;
                let with = matches!(node, Node::With(_));
                let flow = if v.truth() {
                    let inner = if with { v } else { dot.clone() };
                    self.list(&b.list, &inner, out)?
                } else {
                    self.list(&b.else_list, dot, out)?
                };
                self.vars.truncate(mark);
                return Ok(flow);
            }
            Node::Range(b) => return self.range(b, dot, out),
            Node::Template { pos, name, pipe } => {
                self.step(*pos)?;
                let data = match pipe {
                    Some(p) => self.pipe(dot, p, true)?,
                    None => Value::Nil,
                };
                self.call_template(*pos, name, &data, out)?;
            }
            Node::Break(_) => return Ok(Flow::Break),
            Node::Continue(_) => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn range(&mut self, b: &Branch, dot: &Value, out: &mut String) -> Result<Flow> {
        let pos = b.pipe.pos;
        self.step(pos)?;
        let mark = self.vars.len();
        let v = self.pipe(dot, &b.pipe, false)?;
        let items: Vec<(Value, Value)> = match &v {
            Value::Nil => Vec::new(),
            Value::List(items) => items.iter().enumerate().map(|(i, v)| (Value::Int(i as i64), v.clone())).collect(),
            Value::Map(m) => m.borrow().iter().map(|(k, v)| (Value::str(k.as_str()), v.clone())).collect(),
            Value::Int(n) => {
                if b.pipe.decl.len() > 1 {
                    return Err(self.fail(pos, "can't use 2 variables when ranging over an integer"));
                }
                if *n > MAX_RANGE_INT {
                    return Err(self.fail(pos, format!("range over {n}: more than {MAX_RANGE_INT} iterations")));
                }
                (0..*n).map(|i| (Value::Int(i), Value::Int(i))).collect()
            }
            other => {
                let mut s = String::new();
                other.format(&mut s, 0);
                return Err(self.fail(pos, format!("range can't iterate over {s}")));
            }
        };
        if items.is_empty() {
            let flow = self.list(&b.else_list, dot, out)?;
            self.vars.truncate(mark);
            return Ok(flow);
        }
        for (key, item) in items {
            self.step(pos)?;
            match b.pipe.decl.as_slice() {
                [one] => self.vars.push((one.clone(), item.clone())),
                [k, v] => {
                    self.vars.push((k.clone(), key));
                    self.vars.push((v.clone(), item.clone()));
                }
                _ => {}
            }
            let flow = self.list(&b.list, &item, out)?;
            self.vars.truncate(mark);
            if let Flow::Break = flow {
                break;
            }
        }
        Ok(Flow::Normal)
    }

    /// A pipeline's value; with `bind`, its declarations are made (a `range` makes its own).
    fn pipe(&mut self, dot: &Value, pipe: &Pipe, bind: bool) -> Result<Value> {
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            value = Some(self.cmd(dot, cmd, value)?);
        }
        let value = value.unwrap_or_default();
        if bind {
            for name in &pipe.decl {
                if pipe.assign {
                    if let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                        slot.1 = value.clone();
                    }
                } else {
                    self.vars.push((name.clone(), value.clone()));
                }
            }
        }
        Ok(value)
    }

    fn cmd(&mut self, dot: &Value, cmd: &Cmd, last: Option<Value>) -> Result<Value> {
        self.step(cmd.pos)?;
        match &cmd.args[0] {
            Arg::Func(name) => self.call(dot, cmd.pos, name, &cmd.args[1..], last),
            // `.Capabilities.APIVersions.Has "apps/v1"`: the one method Helm's objects offer.
            Arg::Field(chain) | Arg::Var(_, chain)
                if chain.last().is_some_and(|f| f == "Has") && cmd.args.len() > 1 =>
            {
                let receiver = match &cmd.args[0] {
                    Arg::Field(_) => self.walk(dot.clone(), &chain[..chain.len() - 1], cmd.pos)?,
                    Arg::Var(name, _) => {
                        let v = self.var(name, cmd.pos)?;
                        self.walk(v, &chain[..chain.len() - 1], cmd.pos)?
                    }
                    _ => Value::Nil,
                };
                let wanted = self.arg(dot, &cmd.args[1], cmd.pos)?;
                match &receiver {
                    Value::List(items) => {
                        Ok(Value::Bool(items.iter().any(|v| v.as_str().is_some_and(|s| Some(s) == wanted.as_str()))))
                    }
                    _ => Err(self.fail(cmd.pos, "Has is not a method of this value")),
                }
            }
            first => {
                if cmd.args.len() > 1 || last.is_some() {
                    return Err(self.fail(cmd.pos, "can't give argument to non-function"));
                }
                self.arg(dot, first, cmd.pos)
            }
        }
    }

    fn var(&self, name: &str, pos: usize) -> Result<Value> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| self.fail(pos, format!("undefined variable: {name}")))
    }

    fn arg(&mut self, dot: &Value, arg: &Arg, pos: usize) -> Result<Value> {
        Ok(match arg {
            Arg::Dot => dot.clone(),
            Arg::Nil => Value::Nil,
            Arg::Bool(b) => Value::Bool(*b),
            Arg::Int(i) => Value::Int(*i),
            Arg::Float(f) => Value::Float(*f),
            Arg::Str(s) => Value::str(s.as_str()),
            Arg::Field(chain) => self.walk(dot.clone(), chain, pos)?,
            Arg::Var(name, chain) => {
                let v = self.var(name, pos)?;
                self.walk(v, chain, pos)?
            }
            Arg::Func(name) => self.call(dot, pos, name, &[], None)?,
            Arg::Sub(pipe, chain) => {
                self.depth += 1;
                let v = self.pipe(dot, pipe, true);
                self.depth -= 1;
                self.walk(v?, chain, pos)?
            }
        })
    }

    /// Follows `.a.b` from `v`: a missing key is nil; a field of nil is Go's nil pointer error.
    fn walk(&self, mut v: Value, chain: &[String], pos: usize) -> Result<Value> {
        for field in chain {
            v = match &v {
                Value::Map(m) => m.borrow().get(field).cloned().unwrap_or_default(),
                Value::Nil => return Err(self.fail(pos, format!("nil pointer evaluating interface {{}}.{field}"))),
                other => {
                    return Err(self.fail(pos, format!("can't evaluate field {field} in type {}", other.type_name())));
                }
            };
        }
        Ok(v)
    }

    /// Calls function `name` with `args` (and the previous command's value last).
    fn call(&mut self, dot: &Value, pos: usize, name: &str, args: &[Arg], last: Option<Value>) -> Result<Value> {
        // `and` and `or` evaluate their arguments only as far as they need (Go 1.18 and later).
        if name == "and" || name == "or" {
            let count = args.len() + usize::from(last.is_some());
            if count == 0 {
                return Err(self.fail(
                    pos,
                    format!("error calling {name}: wrong number of args for {name}: want at least 1 got 0"),
                ));
            }
            let mut v = Value::Nil;
            for a in args {
                v = self.arg(dot, a, pos)?;
                if v.truth() != (name == "and") {
                    return Ok(v);
                }
            }
            if let Some(l) = last {
                v = l;
            }
            return Ok(v);
        }
        let mut values = Vec::with_capacity(args.len() + 1);
        for a in args {
            values.push(self.arg(dot, a, pos)?);
        }
        values.extend(last);
        let result = match name {
            "include" => self.include(pos, &values),
            "tpl" => self.tpl(pos, &values),
            "fail" => {
                let msg = values.first().map(Value::to_go_string).unwrap_or_default();
                return Err(ExecError { source: self.source.clone(), offset: pos, message: msg });
            }
            "required" => {
                let [msg, v] = values.as_slice() else {
                    return Err(self.fail(pos, "error calling required: wrong number of args for required: want 2"));
                };
                match v {
                    Value::Nil => {
                        return Err(ExecError {
                            source: self.source.clone(),
                            offset: pos,
                            message: msg.to_go_string(),
                        });
                    }
                    Value::Str(s) if s.is_empty() => {
                        return Err(ExecError {
                            source: self.source.clone(),
                            offset: pos,
                            message: msg.to_go_string(),
                        });
                    }
                    v => Ok(v.clone()),
                }
            }
            "lookup" => Ok(Value::map(BTreeMap::new())),
            _ => funcs::call(name, values),
        };
        let v = result.map_err(|e| match e {
            funcs::Failure::Message(m) => self.fail(pos, format!("error calling {name}: {m}")),
            funcs::Failure::Exec(e) => e,
        })?;
        if let Value::Str(s) = &v
            && s.len() > MAX_OUTPUT
        {
            return Err(self.fail(pos, format!("{name} made a string larger than {MAX_OUTPUT} bytes")));
        }
        Ok(v)
    }

    fn nested<T>(&mut self, pos: usize, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        if self.depth >= MAX_INCLUDE_DEPTH {
            return Err(self.fail(
                pos,
                format!("templates nested deeper than {MAX_INCLUDE_DEPTH} levels (a template that includes itself?)"),
            ));
        }
        self.depth += 1;
        // Each level takes a few frames of the walk: grow the stack rather than overflow it.
        let r = stacker::maybe_grow(64 * 1024, 1024 * 1024, || f(self));
        self.depth -= 1;
        r
    }

    fn call_template(&mut self, pos: usize, name: &str, data: &Value, out: &mut String) -> Result<()> {
        let Some(define) = self.defines.get(name).cloned() else {
            return Err(self
                .fail(pos, format!("template: no template {name:?} associated with template {:?}", self.source.name)));
        };
        self.nested(pos, |s| s.run(&define.source, &define.body, data, out))
    }

    fn include(&mut self, pos: usize, args: &[Value]) -> std::result::Result<Value, funcs::Failure> {
        let [name, data] = args else {
            return Err(funcs::Failure::Message(format!(
                "wrong number of args for include: want 2 got {}",
                args.len()
            )));
        };
        let Some(name) = name.as_str() else {
            return Err(funcs::Failure::Message(format!(
                "wrong type for value; expected string; got {}",
                name.type_name()
            )));
        };
        let Some(define) = self.defines.get(name).cloned() else {
            return Err(funcs::Failure::Message(format!(
                "template: no template {name:?} associated with template \"gotpl\""
            )));
        };
        let mut out = String::new();
        self.nested(pos, |s| s.run(&define.source, &define.body, data, &mut out)).map_err(funcs::Failure::Exec)?;
        Ok(Value::str(out))
    }

    fn tpl(&mut self, pos: usize, args: &[Value]) -> std::result::Result<Value, funcs::Failure> {
        let [text, data] = args else {
            return Err(funcs::Failure::Message(format!("wrong number of args for tpl: want 2 got {}", args.len())));
        };
        let Some(text) = text.as_str() else {
            return Err(funcs::Failure::Message(format!(
                "wrong type for value; expected string; got {}",
                text.type_name()
            )));
        };
        let source = Arc::new(Source { name: self.source.name.clone(), text: text.to_string() });
        let parsed = parse::parse(text)
            .map_err(|e| funcs::Failure::Message(format!("cannot parse template {text:?}: {}", e.message)))?;
        let mut out = String::new();
        self.nested(pos, |s| s.run(&source, &parsed.body, data, &mut out)).map_err(funcs::Failure::Exec)?;
        Ok(Value::str(out.replace("<no value>", "")))
    }
}
