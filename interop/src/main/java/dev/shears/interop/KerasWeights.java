package dev.shears.interop;

import dev.shears.io.ModelFormatException;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Layer;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weights in Keras's HDF5 layouts, copied into a Shears model with Keras's own layouts (conv kernels
 * (kh, kw, c, filters), dense kernels (in, units)), so no transposes:
 *
 * <ul>
 *   <li>Keras 3 ({@code .weights.h5}, and {@code model.weights.h5} inside a {@code .keras} zip):
 *       {@code layers/<layer>/vars/0, 1, ...}: the trainable variables (kernel, bias; BatchNormalization's
 *       gamma, beta), then the non-trainable ones (moving mean and variance), matched by layer name.</li>
 *   <li>Legacy TF 2.x ({@code .h5}): a root (weights-only) or {@code model_weights} group (full model)
 *       whose {@code layer_names} attribute lists the layers; each layer group's {@code weight_names}
 *       attribute names its datasets in order. Matched by name when every name is there, else by the
 *       order of layers that have weights, as Keras's {@code load_weights} does.</li>
 * </ul>
 *
 * Every shape is checked before anything is read, and the model changes only if all of them fit.
 */
final class KerasWeights {
    private final Path file;
    /** Datasets of each layer that has weights, in the file's order. */
    private final Map<String, List<Dataset>> layers = new LinkedHashMap<>();
    private final boolean legacy;

    private KerasWeights(Path file, boolean legacy) {
        this.file = file;
        this.legacy = legacy;
    }

    /** Finds the weight datasets of {@code h5}, in either layout. */
    static KerasWeights of(HdfFile h5, Path file) throws ModelFormatException {
        try {
            if (h5.getChildren().get("layers") instanceof Group g) {
                KerasWeights w = new KerasWeights(file, false);
                w.readKeras3(g);
                return w;
            }
            Group root = h5.getChildren().get("model_weights") instanceof Group g ? g : h5;
            if (root.getAttribute("layer_names") == null) {
                throw new ModelFormatException(file, "HDF5 layout", "neither a Keras 3 weights file (no 'layers' group) nor a legacy "
                        + "Keras file (no 'layer_names' attribute)");
            }
            KerasWeights w = new KerasWeights(file, true);
            w.readLegacy(root);
            return w;
        } catch (RuntimeException e) {
            throw new ModelFormatException(file, "HDF5", "cannot read the weights: " + e.getMessage(), e);
        }
    }

    private void readKeras3(Group layersGroup) throws ModelFormatException {
        for (Node n : layersGroup.getChildren().values()) {
            if (n instanceof Group layer && layer.getChildren().get("vars") instanceof Group vars && !vars.getChildren().isEmpty()) {
                List<Dataset> ds = new ArrayList<>();
                for (int i = 0; i < vars.getChildren().size(); i++) {
                    if (!(vars.getChildren().get(Integer.toString(i)) instanceof Dataset d)) {
                        throw new ModelFormatException(file, layer.getPath() + "vars/" + i, "missing: variables must be numbered 0, 1, ...");
                    }
                    ds.add(d);
                }
                layers.put(layer.getName(), ds);
            }
        }
    }

    private void readLegacy(Group root) throws ModelFormatException {
        for (String name : strings(root.getAttribute("layer_names"), root.getPath() + "@layer_names")) {
            if (!(root.getChildren().get(name) instanceof Group layer)) {
                throw new ModelFormatException(file, root.getPath() + name, "listed in layer_names but missing");
            }
            List<Dataset> ds = new ArrayList<>();
            for (String weight : strings(layer.getAttribute("weight_names"), layer.getPath() + "@weight_names")) {
                if (!(layer.getByPath(weight) instanceof Dataset d)) {
                    throw new ModelFormatException(file, layer.getPath() + weight, "listed in weight_names but missing");
                }
                ds.add(d);
            }
            if (!ds.isEmpty()) {
                layers.put(name, ds);
            }
        }
    }

    /** A string-array attribute (empty for a missing or numeric one, as Keras writes for layers without weights). */
    private List<String> strings(Attribute a, String where) throws ModelFormatException {
        if (a == null) {
            return List.of();
        }
        Object v = a.getData();
        if (v == null) {
            return List.of(); // jhdf reads Keras's empty float64 weight_names as null
        }
        if (v instanceof String s) {
            return List.of(s);
        }
        if (v instanceof String[] arr) {
            return Arrays.asList(arr);
        }
        if (v.getClass().isArray() && java.lang.reflect.Array.getLength(v) == 0) {
            return List.of();
        }
        throw new ModelFormatException(file, where, "expected a list of strings, got " + v.getClass().getSimpleName());
    }

    /**
     * Copies the weights into {@code model}'s Conv2D and Dense layers, all or nothing.
     *
     * @throws ModelFormatException listing every missing layer and shape difference
     */
    void copyInto(Sequential model) throws ModelFormatException {
        List<Layer> weighted = new ArrayList<>();
        for (Layer l : model.layers()) {
            if (!targets(l.unwrap()).isEmpty()) {
                weighted.add(l.unwrap());
            }
        }
        boolean byName = weighted.stream().allMatch(l -> layers.containsKey(l.name()));
        List<List<Dataset>> sources = new ArrayList<>(layers.values());
        if (!byName && (!legacy || sources.size() != weighted.size())) {
            List<String> missing = weighted.stream().map(Layer::name).filter(n -> !layers.containsKey(n)).toList();
            throw new ModelFormatException(file, "layers", "no weights for " + missing + "; the file has weights for " + layers.keySet());
        }
        List<String> problems = new ArrayList<>();
        List<float[][]> values = new ArrayList<>();
        for (int i = 0; i < weighted.size(); i++) {
            Layer l = weighted.get(i);
            values.add(read(l, byName ? layers.get(l.name()) : sources.get(i), problems));
        }
        if (!problems.isEmpty()) {
            throw new ModelFormatException(file, "weights", "do not fit model " + model.name() + ": " + String.join("; ", problems));
        }
        for (int i = 0; i < weighted.size(); i++) {
            List<Parameter> targets = targets(weighted.get(i));
            float[][] v = values.get(i);
            for (int k = 0; k < targets.size(); k++) {
                // A Keras Conv2D or Dense with use_bias=False has no bias; Shears' always has one, left at zero.
                Arrays.fill(targets.get(k).data(), 0f);
                if (k < v.length && v[k] != null) {
                    System.arraycopy(v[k], 0, targets.get(k).data(), 0, v[k].length);
                }
            }
        }
    }

    /** What Keras stores for a layer, in its order: the trainable variables, then the non-trainable ones. */
    private static List<Parameter> targets(Layer l) {
        List<Parameter> all = new ArrayList<>(l.parameters());
        all.addAll(l.state());
        return all;
    }

    /** The layer's values in {@link #targets} order, shapes checked first; a kernel-only Keras layer leaves the bias null. */
    private float[][] read(Layer l, List<Dataset> ds, List<String> problems) {
        List<Parameter> targets = targets(l);
        boolean biasFree = (l instanceof Conv2D || l instanceof Dense) && ds.size() == targets.size() - 1;
        if (ds.size() != targets.size() && !biasFree) {
            problems.add(l.name() + ": " + ds.size() + " weight tensors, the layer has " + targets.size()
                    + " " + targets.stream().map(Parameter::name).toList());
            return null;
        }
        float[][] out = new float[targets.size()][];
        for (int k = 0; k < ds.size(); k++) {
            Dataset d = ds.get(k);
            Parameter p = targets.get(k);
            try {
                if (!Arrays.equals(d.getDimensions(), p.value().shape())) {
                    problems.add(d.getPath() + " has shape " + Arrays.toString(d.getDimensions()) + ", " + p.name()
                            + " needs " + Arrays.toString(p.value().shape()));
                    continue;
                }
                if (d.getFilters().isEmpty() && d.getStorageInBytes() < d.getSizeInBytes()) {
                    problems.add(d.getPath() + " stores " + d.getStorageInBytes() + " bytes of its " + d.getSizeInBytes() + ": truncated");
                    continue;
                }
                Object data = d.getDataFlat();
                if (data instanceof float[] f) {
                    out[k] = f;
                } else if (data instanceof double[] dd) {
                    out[k] = new float[dd.length];
                    for (int j = 0; j < dd.length; j++) {
                        out[k][j] = (float) dd[j];
                    }
                } else {
                    problems.add(d.getPath() + " holds " + d.getJavaType().getSimpleName() + ", expected float32");
                }
            } catch (RuntimeException e) {
                problems.add(d.getPath() + " cannot be read: " + e.getMessage());
            }
        }
        return out;
    }
}
