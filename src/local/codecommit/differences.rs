//! GetDifferences and GetBlob.
