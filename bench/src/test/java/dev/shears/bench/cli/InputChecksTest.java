package dev.shears.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.Dataset;
import dev.shears.data.NonFiniteValueException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputChecksTest {
    private static Dataset images(float... pixels) {
        return new Dataset(pixels, new int[] {2, 2, 1}, new int[pixels.length / 4], 1);
    }

    @Test
    void pixelsOutsideTheUnitIntervalGiveOneWarningLine() {
        List<String> warnings = new ArrayList<>();
        InputChecks.check("training images", images(0f, 0.5f, 1f, 1f, 0f, 255f, -1f, 0.2f), warnings::add);
        assertEquals(1, warnings.size());
        String w = warnings.get(0);
        assertTrue(w.startsWith("WARNING: 2 of 8 pixel values of the training images lie outside [0, 1]")
                && w.contains("min -1.0, max 255.0"), w);
        assertEquals(1, w.lines().count());

        warnings.clear();
        InputChecks.check("test images", images(0f, 0.5f, 1f, 1f), warnings::add);
        assertEquals(List.of(), warnings);
    }

    @Test
    void aNonFiniteValueIsAnErrorNamingTheSetAndTheExample() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InputChecks.check("test images",
                images(0f, 0f, 0f, 0f, 0f, 0f, Float.NaN, 0f), w -> { }));
        assertInstanceOf(NonFiniteValueException.class, e.getCause());
        assertTrue(e.getMessage().startsWith("test images: example 1 holds NaN at feature 2 (position [1, 0, 0]"),
                e.getMessage());
    }
}
