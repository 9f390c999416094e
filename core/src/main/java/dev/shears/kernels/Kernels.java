package dev.shears.kernels;

/**
 * Chooses, once per JVM, between the Vector API kernels and the plain-Java ones, and says which is in
 * use. The Vector API path needs the incubator module at run time ({@code --add-modules
 * jdk.incubator.vector}); without it, or with {@code -Dshears.vector=false}, every kernel runs its scalar
 * version. All {@code jdk.incubator.vector} references live in the {@code Vector*} classes, which are
 * loaded only after this check, so the scalar path works on a JVM that lacks the module.
 *
 * <pre>{@code System.out.println("kernels: " + Kernels.description());}</pre>
 */
public final class Kernels {
    /** Whether the fast kernels dispatch to the Vector API classes. */
    static final boolean VECTOR;
    private static final String DESCRIPTION;
    /** What a JVM without the incubator module prints once, on stderr, when the kernels are first used. */
    static final String MISSING_MODULE_WARNING = "WARNING: Shears runs its plain-Java kernels, about 2x slower to train, because "
            + "the JVM lacks the jdk.incubator.vector module. Add it: java --add-modules jdk.incubator.vector ...; "
            + "or export JDK_JAVA_OPTIONS=--add-modules=jdk.incubator.vector; for mvn exec:java, "
            + "MAVEN_OPTS=--add-modules=jdk.incubator.vector; for tests, surefire's "
            + "<argLine>--add-modules jdk.incubator.vector</argLine>. (-Dshears.vector=false silences this.)";

    static {
        String reason = null;
        int bits = 0;
        if ("false".equalsIgnoreCase(System.getProperty("shears.vector", "true").trim())) {
            reason = "disabled by -Dshears.vector=false";
        } else if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            reason = "jdk.incubator.vector not enabled: run java with --add-modules jdk.incubator.vector";
        } else {
            try {
                bits = VectorGemm.bits();
                if (bits < 128) {
                    reason = "preferred vector is only " + bits + "-bit";
                }
            } catch (LinkageError e) {
                reason = "Vector API unavailable: " + e;
            }
        }
        VECTOR = reason == null;
        DESCRIPTION = VECTOR ? "Vector API, " + bits + "-bit" : "scalar (" + reason + ")";
        if (reason != null && reason.startsWith("jdk.incubator.vector not enabled")) {
            // Once per JVM, and only when the module is missing by accident: a user who turned the Vector API
            // off on purpose has been told enough.
            System.err.println(MISSING_MODULE_WARNING);
        }
    }


    private Kernels() {
    }

    /** True when the kernels use the Vector API, false when they run the scalar fallback. */
    public static boolean vectorEnabled() {
        return VECTOR;
    }

    /** One line for logs, e.g. {@code "Vector API, 512-bit"} or {@code "scalar (why)"}. */
    public static String description() {
        return DESCRIPTION;
    }
}
