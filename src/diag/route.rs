//! A symbolic location inside a structured document: a route of keys and indices.
//!
//! Findings about YAML (the spec, values, manifests, workflows) name the node they concern by
//! its route; `yaml::Node::locate` is the one function that turns a route into a span, and
//! `Source::position` the one that turns a span into `line:col`.

use std::fmt;

/// One step of a route: a mapping key or a sequence index.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    Key(String),
    Index(usize),
}

impl From<&str> for Segment {
    fn from(key: &str) -> Self {
        Segment::Key(key.to_string())
    }
}

impl From<String> for Segment {
    fn from(key: String) -> Self {
        Segment::Key(key)
    }
}

impl From<&String> for Segment {
    fn from(key: &String) -> Self {
        Segment::Key(key.clone())
    }
}

impl From<usize> for Segment {
    fn from(index: usize) -> Self {
        Segment::Index(index)
    }
}

/// A path from a document's root to one of its nodes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Route(Vec<Segment>);

impl Route {
    /// The route of the root.
    pub fn root() -> Self {
        Route(Vec::new())
    }

    /// This route, one step further.
    pub fn with(mut self, segment: impl Into<Segment>) -> Self {
        self.0.push(segment.into());
        self
    }

    /// The segments from the root.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// The route one step up, when there is one.
    pub fn parent(&self) -> Option<Route> {
        let (_, rest) = self.0.split_last()?;
        Some(Route(rest.to_vec()))
    }

    /// Whether `self` is `other` or lies under it.
    pub fn starts_with(&self, other: &Route) -> bool {
        self.0.starts_with(&other.0)
    }

    /// Reads the dotted form `services[0].env.TOKEN` (also `services.0.env.TOKEN`).
    pub fn parse(text: &str) -> Option<Route> {
        let mut route = Route::root();
        for part in text.split('.') {
            let (key, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if key.is_empty() && rest.is_empty() {
                return None;
            }
            if !key.is_empty() {
                route = match key.parse::<usize>() {
                    Ok(i) => route.with(i),
                    Err(_) => route.with(key),
                };
            }
            while let Some(after) = rest.strip_prefix('[') {
                let (index, tail) = after.split_once(']')?;
                route = route.with(index.parse::<usize>().ok()?);
                rest = tail;
            }
        }
        Some(route)
    }
}

impl<S: Into<Segment>> FromIterator<S> for Route {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        Route(iter.into_iter().map(Into::into).collect())
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Builds a [`Route`] from keys and indices: `route!["services", 0, "env"]`.
#[macro_export]
macro_rules! route {
    ($($segment:expr),* $(,)?) => {
        $crate::diag::Route::root()$(.with($segment))*
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_print_and_parse_in_dotted_form() {
        let r = route!["services", 0, "env", "TOKEN"];
        assert_eq!(r.to_string(), "services[0].env.TOKEN");
        assert_eq!(Route::parse("services[0].env.TOKEN"), Some(r.clone()));
        assert_eq!(Route::parse("services.0.env.TOKEN"), Some(r.clone()));
        assert!(r.starts_with(&route!["services", 0]));
        assert_eq!(Route::parse("a..b"), None);
        assert_eq!(Route::parse("a[x]"), None);
    }
}
