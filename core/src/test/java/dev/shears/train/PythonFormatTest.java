package dev.shears.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Python's float repr and str.format placeholders, with the strings CPython 3.11 prints. */
class PythonFormatTest {
    @Test
    void reprLikePython() {
        // expected values: repr(x) in CPython
        assertEquals("0.5", PythonFormat.repr(0.5));
        assertEquals("1.0", PythonFormat.repr(1.0));
        assertEquals("100.0", PythonFormat.repr(100.0));
        assertEquals("-2.25", PythonFormat.repr(-2.25));
        assertEquals("0.0001", PythonFormat.repr(1e-4));
        assertEquals("1e-05", PythonFormat.repr(1e-5));
        assertEquals("1.5e-07", PythonFormat.repr(1.5e-7));
        assertEquals("1000000000000000.0", PythonFormat.repr(1e15));
        assertEquals("1e+16", PythonFormat.repr(1e16));
        assertEquals("0.10000000149011612", PythonFormat.repr((float) 0.1));
        assertEquals("0.1", PythonFormat.repr(0.1));
        assertEquals("0.0", PythonFormat.repr(0.0));
        assertEquals("-0.0", PythonFormat.repr(-0.0));
        assertEquals("nan", PythonFormat.repr(Double.NaN));
        assertEquals("-inf", PythonFormat.repr(Double.NEGATIVE_INFINITY));
    }

    @Test
    void formatPlaceholdersLikeStrFormat() {
        Map<String, Number> v = Map.of("epoch", 7, "val_loss", 0.123456, "loss", 2.5);
        assertEquals("ckpt_7.safetensors", PythonFormat.format("ckpt_{epoch}.safetensors", v));
        assertEquals("ckpt_07_0.123.st", PythonFormat.format("ckpt_{epoch:02d}_{val_loss:.3f}.st", v));
        assertEquals("l2.5_1.23e-01", PythonFormat.format("l{loss}_{val_loss:.2e}", v));
        assertEquals("plain", PythonFormat.format("plain", v));
        assertThrows(IllegalArgumentException.class, () -> PythonFormat.format("{val_accuracy}", v));
        assertThrows(IllegalArgumentException.class, () -> PythonFormat.format("{loss:03d}", v));
    }
}
