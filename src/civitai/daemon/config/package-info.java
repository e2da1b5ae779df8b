/**
 * config.json: every key with its default and validation, secrets from the environment, and the choice of port with its atomic write-back.
 */
package civitai.daemon.config;
