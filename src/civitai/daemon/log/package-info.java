/**
 * The two log files (download.log, error.log), their rotation by size, and the redaction of secrets
 * from every line.
 */
package civitai.daemon.log;
