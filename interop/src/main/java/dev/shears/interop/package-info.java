/**
 * Bring your own model: {@link dev.shears.interop.Onnx} imports and exports ONNX files, and
 * {@link dev.shears.interop.KerasModels} reads Keras's {@code .keras}, legacy {@code .h5} and
 * {@code .weights.h5} files. Both map only the layers Shears has, and refuse anything else by name.
 */
package dev.shears.interop;
