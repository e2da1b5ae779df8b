/**
 * A workflow in: the model files a ComfyUI workflow (UI or API JSON, or a PNG that carries one)
 * or A1111 parameters text names, each with the ComfyUI folder it belongs in.
 */
package civitai.daemon.workflow;
