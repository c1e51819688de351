//! Writing one table of one input: rows gathered in Arrow builders are
//! written as Parquet as they come (a batch every [`BATCH`] rows, a row
//! group every [`ROW_GROUP`] rows, so memory does not grow with the input)
//! to a hidden temporary file in the table's folder. An input's files are
//! renamed into place together once all its tables are complete
//! ([`Files::commit`]); dropped before that, they are deleted, so no
//! reader ever sees a half-written file.

use crate::columns::Table;
use crate::error::Error;
use arrow_array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use std::fs::{File, Permissions};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use tempfile::TempPath;

/// Rows per record batch handed to the Parquet writer.
pub const BATCH: usize = 8192;
/// Rows per Parquet row group.
pub const ROW_GROUP: usize = 128 * 1024;

/// The Parquet settings of every file: zstd (level 3: smaller files than
/// snappy at a similar decoding speed, read by DuckDB, Spark and Trino),
/// fixed row groups and a fixed writer name, so the same input always
/// gives the same bytes.
fn properties() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_max_row_group_row_count(Some(ROW_GROUP))
        .set_created_by(format!("ettables {}", env!("CARGO_PKG_VERSION")))
        .build()
}

/// One table of one input, being written.
pub struct Sink<T: Table> {
    /// The rows not yet handed to the writer.
    pub rows: T,
    schema: std::sync::Arc<arrow_schema::Schema>,
    writer: ArrowWriter<File>,
    tmp: TempPath,
    target: PathBuf,
}

impl<T: Table> Sink<T> {
    /// Starts `OUT/<table>/<file>` as a temporary file beside it.
    pub fn create(out: &Path, file: &str) -> Result<Sink<T>, Error> {
        let dir = out.join(T::NAME);
        let target = dir.join(file);
        let io = |source| Error::Output {
            path: target.clone(),
            source,
        };
        std::fs::create_dir_all(&dir).map_err(io)?;
        let tmp = tempfile::Builder::new()
            .prefix(".ettables-")
            .suffix(".tmp")
            .permissions(Permissions::from_mode(0o666))
            .tempfile_in(&dir)
            .map_err(io)?;
        let (f, tmp) = tmp.into_parts();
        let schema = T::schema();
        let writer =
            ArrowWriter::try_new(f, schema.clone(), Some(properties())).map_err(|source| {
                Error::Parquet {
                    path: target.clone(),
                    source,
                }
            })?;
        Ok(Sink {
            rows: T::new(),
            schema,
            writer,
            tmp,
            target,
        })
    }

    /// Writes the gathered rows once there are a batch's worth.
    pub fn maybe_flush(&mut self) -> Result<(), Error> {
        if self.rows.rows() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Error> {
        if self.rows.rows() == 0 {
            return Ok(());
        }
        let fail = |source| Error::Parquet {
            path: self.target.clone(),
            source,
        };
        let batch = RecordBatch::try_new(self.schema.clone(), self.rows.take())
            .map_err(|e| fail(parquet::errors::ParquetError::from(e)))?;
        self.writer.write(&batch).map_err(fail)
    }

    /// Writes the rest and the footer; the file waits in `files` for the
    /// input's other tables.
    pub fn finish(mut self, files: &mut Files) -> Result<(), Error> {
        self.flush()?;
        let target = self.target;
        self.writer.close().map_err(|source| Error::Parquet {
            path: target.clone(),
            source,
        })?;
        files.done.push((self.tmp, target));
        Ok(())
    }
}

/// The complete files of one input, not yet in place.
#[derive(Default)]
pub struct Files {
    done: Vec<(TempPath, PathBuf)>,
}

impl Files {
    /// Adds `other`'s files to these.
    pub fn extend(&mut self, other: Files) {
        self.done.extend(other.done);
    }

    /// Renames every file into place; the paths written.
    pub fn commit(self) -> Result<Vec<PathBuf>, Error> {
        let mut written = Vec::with_capacity(self.done.len());
        for (tmp, target) in self.done {
            tmp.persist(&target).map_err(|e| Error::Output {
                path: target.clone(),
                source: e.error,
            })?;
            written.push(target);
        }
        Ok(written)
    }
}
