//! The manifest: what gen owns in an output directory, with the hash it last wrote.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::{OutputError, fs};
use crate::blueprint::Ownership;
use crate::render::MANIFEST_NAME;

/// The manifest file's content.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    /// `gen <version>` that wrote it.
    pub generator: String,
    /// The spec, relative to the output directory.
    pub spec: String,
    pub spec_sha256: Digest,
    /// The environments the spec declares, in its order, each with its platform: a file
    /// deployed to some of them says which ([`Entry::environments`]), so that the closure
    /// check of a linted output folder closes each on its own cluster, as the render did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<EnvironmentRecord>,
    /// Whether the render keeps `.github/` in the output folder (`gen render --github-at
    /// output`), where GitHub never reads it, instead of at the repository root: every later
    /// render and check of the folder does the same until told otherwise.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub github_in_output: bool,
    /// Each renamed service (`renamedFrom`) with its former name: a later spec that drops
    /// `renamedFrom` would restart its tags and replace its vault, and is told so.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub renames: std::collections::BTreeMap<String, String>,
    pub files: Vec<Entry>,
}

/// An environment of the spec, as the manifest records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentRecord {
    pub name: String,
    /// The platform it runs on (`azure`, `local`).
    pub platform: String,
    /// The cluster it runs on, where environments may share one
    /// ([`crate::platform::TargetSpec::cluster_id`]), and the environment whose Terraform
    /// workspace creates it: a later render that would have another one create the same
    /// cluster is refused ([`super::Writer::environments`]).
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "clusterId")]
    pub cluster_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "clusterCreator")]
    pub cluster_creator: Option<String>,
}

/// Who a recorded file belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Owner {
    /// gen's: rewritten on every render while unedited, drift-checked.
    Managed,
    /// The user's from its first render on; gen never writes it again.
    Scaffold,
    /// A managed file the user chose to keep as edited (`--keep-edits`): gen no longer writes
    /// or drift-checks it; deleting it hands it back to gen.
    Released,
}

impl From<Ownership> for Owner {
    fn from(o: Ownership) -> Self {
        match o {
            Ownership::Managed => Owner::Managed,
            Ownership::Scaffold => Owner::Scaffold,
        }
    }
}

/// One recorded file: its owner, and the hash of the bytes gen last wrote (or adopted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    #[serde(rename = "ownership")]
    pub owner: Owner,
    pub sha256: Digest,
    /// The environments it is deployed to on its own, by name, when not all of them (none:
    /// only through another file, as a base every overlay patches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environments: Option<Vec<String>>,
}

/// A SHA-256 digest, written as 64 lowercase hex digits. Kept as its 32 bytes: a manifest of
/// a spec of thousands of services records hundreds of thousands of them.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Digest(pub [u8; 32]);

impl std::fmt::Display for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl std::fmt::Debug for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Digest::from_hex(&text).ok_or_else(|| serde::de::Error::custom("a SHA-256 is 64 lowercase hex digits"))
    }
}

impl Digest {
    /// The digest `text` spells in 64 lowercase hex digits.
    pub fn from_hex(text: &str) -> Option<Digest> {
        let digit = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
        }
        Some(Digest(out))
    }
}

/// A writer that hashes what it passes on.
struct Hashing<'a> {
    into: &'a mut dyn std::io::Write,
    hasher: Sha256,
}

impl std::io::Write for Hashing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.into.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.into.flush()
    }
}

/// The SHA-256 of some bytes.
pub fn sha256(bytes: &[u8]) -> Digest {
    Digest(Sha256::digest(bytes).into())
}

impl Manifest {
    /// An empty manifest for a spec.
    pub fn new(spec: &str, spec_bytes: &[u8]) -> Manifest {
        Manifest {
            generator: format!("gen {}", env!("CARGO_PKG_VERSION")),
            spec: spec.to_string(),
            spec_sha256: sha256(spec_bytes),
            environments: Vec::new(),
            github_in_output: false,
            renames: std::collections::BTreeMap::new(),
            files: Vec::new(),
        }
    }

    /// The manifest in `out`, if there is one.
    pub fn read(out: &Path) -> Result<Option<Manifest>, OutputError> {
        Manifest::read_at(&out.join(MANIFEST_NAME))
    }

    /// The manifest (or journal) at `path`, if there is one. A path it lists that could leave
    /// the output folder, enter a version-control folder or name gen's own files makes it
    /// unusable: gen deletes only what its records name.
    pub fn read_at(path: &Path) -> Result<Option<Manifest>, OutputError> {
        let path = path.to_path_buf();
        let Some(bytes) = fs::read(&path)? else { return Ok(None) };
        let manifest: Manifest = serde_json::from_slice(&bytes)
            .map_err(|e| OutputError::BadManifest { path: path.clone(), reason: e.to_string() })?;
        let unsafe_path = |p: &str| !crate::render::is_safe_recorded(p) || crate::render::is_reserved(p);
        if let Some(bad) = manifest.files.iter().find(|f| unsafe_path(&f.path)) {
            return Err(OutputError::BadManifest { path, reason: format!("it lists the unsafe path `{}`", bad.path) });
        }
        Ok(Some(manifest))
    }

    /// Writes the manifest as stored (pretty JSON, sorted by path, with a final newline) into
    /// `into`, as it serializes: never whole in memory, where a spec of thousands of services
    /// would hold tens of MiB at gen's peak. The digest of what it wrote.
    pub fn write_to(&mut self, into: &mut dyn std::io::Write) -> Result<Digest, OutputError> {
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        let mut hashing = Hashing { into, hasher: Sha256::new() };
        serde_json::to_writer_pretty(&mut hashing, self).map_err(|e| OutputError::Serialize(e.to_string()))?;
        std::io::Write::write_all(&mut hashing, b"\n").map_err(|e| OutputError::Serialize(e.to_string()))?;
        Ok(Digest(hashing.hasher.finalize().into()))
    }

    /// The entries by path.
    pub fn by_path(&self) -> HashMap<&str, &Entry> {
        self.files.iter().map(|e| (e.path.as_str(), e)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{Entry, Manifest, Owner};

    #[test]
    fn the_manifest_is_pretty_json_sorted_by_path_with_the_digest_of_its_bytes() {
        let mut m = Manifest::new("spec.yaml", b"x");
        for path in ["b/c.yaml", "a.yaml"] {
            m.files.push(Entry {
                path: path.into(),
                owner: Owner::Managed,
                sha256: super::sha256(path.as_bytes()),
                environments: None,
            });
        }
        let mut bytes = Vec::new();
        let digest = m.write_to(&mut bytes).expect("serializes");
        let mut expected = serde_json::to_string_pretty(&m).expect("serializes");
        expected.push('\n');
        assert_eq!(String::from_utf8(bytes.clone()).expect("UTF-8"), expected);
        assert!(expected.find("a.yaml") < expected.find("b/c.yaml"));
        assert_eq!(digest, super::sha256(&bytes));
    }

    #[test]
    fn a_digest_is_64_lowercase_hex_digits_both_ways() {
        let digest = super::sha256(b"abc");
        let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(digest.to_string(), hex);
        assert_eq!(super::Digest::from_hex(hex), Some(digest));
        assert_eq!(serde_json::to_string(&digest).expect("serializes"), format!("\"{hex}\""));
        for bad in [&hex[1..], &hex.to_uppercase(), &format!("{}g", &hex[1..])] {
            assert_eq!(super::Digest::from_hex(bad), None, "{bad}");
            assert!(serde_json::from_str::<super::Digest>(&format!("\"{bad}\"")).is_err());
        }
    }
}
