/**
 * Training data: reading corpora ({@link modej.tasks.data.TextSource}, {@link modej.tasks.data.WordNetCorpus}),
 * splitting them by content hash ({@link modej.tasks.data.Split}), byte-level tokens
 * ({@link modej.tasks.data.ByteTokens}) and reproducible batches ({@link modej.tasks.data.BatchSampler},
 * {@link modej.tasks.data.SequentialBatches}).
 */
package modej.tasks.data;
