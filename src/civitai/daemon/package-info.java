/**
 * The daemon's entry point ({@code Main}) and composition root ({@code Daemon}), the only code that knows every part.
 */
package civitai.daemon;
