//! The manifest: what gen owns in an output directory, with the hash it last wrote.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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
    pub spec_sha256: String,
    pub files: Vec<Entry>,
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
    pub sha256: String,
}

/// A writer that keeps nothing but the number of bytes written to it.
struct Counted(usize);

impl std::io::Write for Counted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Hex SHA-256 of some bytes.
pub fn sha256(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(64);
    for b in Sha256::digest(bytes) {
        hex.push(char::from(HEX[usize::from(b >> 4)]));
        hex.push(char::from(HEX[usize::from(b & 15)]));
    }
    hex
}

impl Manifest {
    /// An empty manifest for a spec.
    pub fn new(spec: &str, spec_bytes: &[u8]) -> Manifest {
        Manifest {
            generator: format!("gen {}", env!("CARGO_PKG_VERSION")),
            spec: spec.to_string(),
            spec_sha256: sha256(spec_bytes),
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
        let unsafe_path = |p: &str| !crate::render::is_safe_relative(p) || crate::render::is_reserved(p);
        if let Some(bad) = manifest.files.iter().find(|f| unsafe_path(&f.path)) {
            return Err(OutputError::BadManifest { path, reason: format!("it lists the unsafe path `{}`", bad.path) });
        }
        Ok(Some(manifest))
    }

    /// The manifest as written: pretty JSON, sorted by path, with a final newline.
    pub fn to_bytes(&mut self) -> Result<Vec<u8>, OutputError> {
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        let serialize = |into: &mut dyn std::io::Write| {
            serde_json::to_writer_pretty(into, self).map_err(|e| OutputError::Serialize(e.to_string()))
        };
        // Counted first, then written into a buffer of that size: the manifest of a spec of
        // thousands of services is tens of MiB, and a buffer grown by doubling would hold
        // up to twice that (three times while it moves) at gen's peak of memory.
        let mut counted = Counted(0);
        serialize(&mut counted)?;
        let mut bytes = Vec::with_capacity(counted.0 + 1);
        serialize(&mut bytes)?;
        bytes.push(b'\n');
        Ok(bytes)
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
    fn the_manifest_is_pretty_json_sorted_by_path_in_a_buffer_of_its_size() {
        let mut m = Manifest::new("spec.yaml", b"x");
        for path in ["b/c.yaml", "a.yaml"] {
            m.files.push(Entry { path: path.into(), owner: Owner::Managed, sha256: super::sha256(path.as_bytes()) });
        }
        let bytes = m.to_bytes().expect("serializes");
        let mut expected = serde_json::to_string_pretty(&m).expect("serializes");
        expected.push('\n');
        assert_eq!(String::from_utf8(bytes.clone()).expect("UTF-8"), expected);
        assert!(expected.find("a.yaml") < expected.find("b/c.yaml"));
        assert_eq!(bytes.capacity(), bytes.len());
    }
}
