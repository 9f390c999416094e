package dev.shears.prune;

import dev.shears.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/** Recomputes the masks of all wrappers of a model at one step, per tensor or with one global threshold. */
final class MaskUpdater {
    private MaskUpdater() {
    }

    static MaskUpdate update(List<PruneLowMagnitude> wrappers, PruningConfig config, long step) {
        double s = config.schedule().sparsityAt(step);
        if (config.global()) {
            updateGlobal(wrappers, s);
        } else {
            for (PruneLowMagnitude w : wrappers) {
                List<Parameter> ps = w.prunedParameters();
                for (int i = 0; i < ps.size(); i++) {
                    Parameter p = ps.get(i);
                    w.setThreshold(i, config.pattern().compute(w.liveMask(i), p.data(), p.value().shape(-1), s));
                }
            }
        }
        List<MaskUpdate.Entry> entries = new ArrayList<>();
        for (PruneLowMagnitude w : wrappers) {
            List<Parameter> ps = w.prunedParameters();
            for (int i = 0; i < ps.size(); i++) {
                entries.add(new MaskUpdate.Entry(w.unwrap().name(), ps.get(i).name(), ps.get(i).size(),
                        Masks.count(w.liveMask(i)), w.threshold(i)));
            }
        }
        return new MaskUpdate(step, s, entries);
    }

    private static void updateGlobal(List<PruneLowMagnitude> wrappers, double s) {
        List<boolean[]> masks = new ArrayList<>();
        List<float[]> weights = new ArrayList<>();
        for (PruneLowMagnitude w : wrappers) {
            for (int i = 0; i < w.prunedParameters().size(); i++) {
                masks.add(w.liveMask(i));
                weights.add(w.prunedParameters().get(i).data());
            }
        }
        float t = Masks.globalTopK(masks.toArray(new boolean[0][]), weights.toArray(new float[0][]), s);
        for (PruneLowMagnitude w : wrappers) {
            for (int i = 0; i < w.prunedParameters().size(); i++) {
                w.setThreshold(i, t);
            }
        }
    }
}
