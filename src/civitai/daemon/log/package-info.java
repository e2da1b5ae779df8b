/**
 * The two log files (download.log, error.log), their rotation by size, and the redaction of secrets
 * from every line; how a person reads what goes into a line: a name ({@code Printable}), a size
 * ({@code Sizes}).
 */
package civitai.daemon.log;
