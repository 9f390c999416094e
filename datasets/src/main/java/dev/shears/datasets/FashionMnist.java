package dev.shears.datasets;

import dev.shears.data.Dataset;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017; MIT license, Zalando SE): 60,000 training and 10,000
 * test grey-scale 28x28 images of 10 kinds of clothing, loaded the way Keras's
 * {@code fashion_mnist.load_data()} does, plus an embedded class-balanced sample that needs no files.
 *
 * <p>Shapes: features {@code (n, 28, 28, 1)} (NHWC), values {@code pixel / 255f} in [0, 1]; labels in
 * [0, 10), named by {@link #CLASS_NAMES}; one-hot via {@link Dataset#oneHotLabels()}.
 *
 * <p>{@link #load(Options)} looks, in order, in: the given directory; {@code $SHEARS_DATA_DIR} (or its
 * {@code fashion-mnist} subdirectory); {@code ~/.cache/shears/fashion-mnist}; the Debian package's
 * {@code /usr/share/datasets/fashion-mnist}; and otherwise downloads the four canonical files into the
 * cache, verified by SHA-256.
 *
 * <pre>{@code FashionMnist.Data data = FashionMnist.loadOrSample(); System.out.println(data.source());}</pre>
 */
public final class FashionMnist {
    /** The class names, by label. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** Number of classes. */
    public static final int NUM_CLASSES = 10;
    /** The environment variable naming a data directory. */
    public static final String ENV_DATA_DIR = "SHEARS_DATA_DIR";
    /** Where the Debian package {@code dataset-fashion-mnist} installs the files. */
    public static final Path SYSTEM_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** Where the canonical files are published. */
    public static final URI DEFAULT_BASE_URI = URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");
    /** Training images file name (gzip'd IDX, 60000 x 28 x 28 unsigned bytes). */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    /** Training labels file name. */
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    /** Test images file name (10000 x 28 x 28). */
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    /** Test labels file name. */
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";
    /** The four files, in download order. */
    public static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);
    /** SHA-256 of the canonical files (as served by the base URI and shipped by Debian). */
    public static final Map<String, String> SHA256 = Map.of(
            TRAIN_IMAGES, "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
            TRAIN_LABELS, "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
            TEST_IMAGES, "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
            TEST_LABELS, "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05");
    /** Class-path folder of the embedded sample, relative to this class. */
    static final String SAMPLE_DIR = "fashion-mnist-sample/";

    private FashionMnist() {
    }

    /**
     * A loaded data set.
     *
     * @param train       the training set
     * @param test        the test set
     * @param classNames  {@link #CLASS_NAMES}
     * @param source      where the data came from, for people and result files, e.g.
     *                    {@code "/usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist)"}
     * @param isSample    true for the embedded sample, false for the full set
     */
    public record Data(Dataset train, Dataset test, List<String> classNames, String source, boolean isSample) {
    }

    /**
     * Where to look and whether to download; start from {@link #defaults()} and change with the
     * {@code with...} methods.
     *
     * @param directory       a directory that must hold the files, or null to search
     * @param envDirectory    the value of {@code $SHEARS_DATA_DIR}, or null
     * @param cacheDirectory  the per-user cache, also the download target
     * @param systemDirectory the system-wide copy (Debian package)
     * @param allowDownload   whether to download when nothing is found
     * @param baseUri         where to download from (tests point it at a loopback server)
     * @param timeout         connect and request timeout for downloads
     * @param sampleFallback  return the embedded sample instead of failing when nothing is found
     * @param progress        where download progress bars go, or null for none
     */
    public record Options(Path directory, Path envDirectory, Path cacheDirectory, Path systemDirectory,
            boolean allowDownload, URI baseUri, Duration timeout, boolean sampleFallback, PrintStream progress) {
        /** Search everywhere, download if needed, no sample fallback, progress on stderr. */
        public static Options defaults() {
            String env = System.getenv(ENV_DATA_DIR);
            Path cache = Path.of(System.getProperty("user.home"), ".cache", "shears", "fashion-mnist");
            return new Options(null, env == null || env.isBlank() ? null : Path.of(env), cache, SYSTEM_DIR,
                    true, DEFAULT_BASE_URI, Duration.ofSeconds(30), false, System.err);
        }

        /** Load from exactly this directory; a directory without the files is an error. */
        public Options withDirectory(Path dir) {
            return new Options(dir, envDirectory, cacheDirectory, systemDirectory, allowDownload, baseUri, timeout, sampleFallback, progress);
        }

        /** Use this instead of {@code $SHEARS_DATA_DIR} (null: none). */
        public Options withEnvDirectory(Path dir) {
            return new Options(directory, dir, cacheDirectory, systemDirectory, allowDownload, baseUri, timeout, sampleFallback, progress);
        }

        /** Use this cache (and download target) instead of {@code ~/.cache/shears/fashion-mnist}. */
        public Options withCacheDirectory(Path dir) {
            return new Options(directory, envDirectory, dir, systemDirectory, allowDownload, baseUri, timeout, sampleFallback, progress);
        }

        /** Use this instead of {@link #SYSTEM_DIR}. */
        public Options withSystemDirectory(Path dir) {
            return new Options(directory, envDirectory, cacheDirectory, dir, allowDownload, baseUri, timeout, sampleFallback, progress);
        }

        /** Allow or forbid downloading. */
        public Options withDownload(boolean allow) {
            return new Options(directory, envDirectory, cacheDirectory, systemDirectory, allow, baseUri, timeout, sampleFallback, progress);
        }

        /** Download from this base URI (the four file names are resolved against it). */
        public Options withBaseUri(URI uri) {
            return new Options(directory, envDirectory, cacheDirectory, systemDirectory, allowDownload, uri, timeout, sampleFallback, progress);
        }

        /** Download timeout. */
        public Options withTimeout(Duration t) {
            return new Options(directory, envDirectory, cacheDirectory, systemDirectory, allowDownload, baseUri, t, sampleFallback, progress);
        }

        /** Fall back to the embedded sample when nothing is found (an explicit bad directory still fails). */
        public Options withSampleFallback(boolean fallback) {
            return new Options(directory, envDirectory, cacheDirectory, systemDirectory, allowDownload, baseUri, timeout, fallback, progress);
        }

        /** Draw download progress here (null: silent). */
        public Options withProgress(PrintStream out) {
            return new Options(directory, envDirectory, cacheDirectory, systemDirectory, allowDownload, baseUri, timeout, sampleFallback, out);
        }
    }

    /** Loads the full set with {@link Options#defaults()}. */
    public static Data load() throws IOException {
        return load(Options.defaults());
    }

    /** Loads the full set if it can be found or downloaded, else the embedded sample, saying so in {@code source}. */
    public static Data loadOrSample() throws IOException {
        return load(Options.defaults().withSampleFallback(true));
    }

    /**
     * Finds (or downloads) and loads the full set.
     *
     * @throws DatasetNotFoundException if it is nowhere and cannot be downloaded (unless sample fallback is on)
     * @throws NoSuchFileException      if an explicitly given directory lacks the files
     * @throws IdxFormatException       if a file found is invalid
     * @throws ChecksumException        if a download does not match the known checksum
     */
    public static Data load(Options options) throws IOException {
        Located found;
        try {
            found = locate(options);
        } catch (DatasetNotFoundException e) {
            if (!options.sampleFallback()) {
                throw e;
            }
            Data sample = sample();
            return new Data(sample.train(), sample.test(), CLASS_NAMES,
                    sample.source() + "; the full set was not found and could not be downloaded", true);
        }
        Dataset train = LabelledImages.load(find(found.dir(), TRAIN_IMAGES), find(found.dir(), TRAIN_LABELS), NUM_CLASSES);
        Dataset test = LabelledImages.load(find(found.dir(), TEST_IMAGES), find(found.dir(), TEST_LABELS), NUM_CLASSES);
        return new Data(train, test, CLASS_NAMES, found.description(), false);
    }

    /**
     * The embedded sample: the first 200 training and first 100 test images of each class of the real
     * files, in their original order (2,000 + 1,000 images), shipped in this jar under the MIT license.
     */
    public static Data sample() throws IOException {
        Dataset train = LabelledImages.load(resource(TRAIN_IMAGES), resource(TRAIN_LABELS), NUM_CLASSES);
        Dataset test = LabelledImages.load(resource(TEST_IMAGES), resource(TEST_LABELS), NUM_CLASSES);
        String source = String.format(Locale.ROOT, "embedded sample (%,d train / %,d test images, class-balanced "
                + "subset of Fashion-MNIST)", train.size(), test.size());
        return new Data(train, test, CLASS_NAMES, source, true);
    }

    private record Located(Path dir, String description) {
    }

    private static Located locate(Options o) throws IOException {
        if (o.directory() != null) {
            List<String> missing = missing(o.directory());
            if (!missing.isEmpty()) {
                throw new NoSuchFileException(o.directory().toString(), null,
                        "given Fashion-MNIST directory lacks " + String.join(", ", missing));
            }
            return new Located(o.directory(), o.directory() + " (given directory)");
        }
        List<String> searched = new ArrayList<>();
        if (o.envDirectory() != null) {
            for (Path d : List.of(o.envDirectory(), o.envDirectory().resolve("fashion-mnist"))) {
                if (missing(d).isEmpty()) {
                    return new Located(d, d + " (" + ENV_DATA_DIR + ")");
                }
                searched.add(d + " ($" + ENV_DATA_DIR + ")");
            }
        } else {
            searched.add("$" + ENV_DATA_DIR + " (not set)");
        }
        if (missing(o.cacheDirectory()).isEmpty()) {
            return new Located(o.cacheDirectory(), o.cacheDirectory() + " (user cache)");
        }
        searched.add(o.cacheDirectory() + " (user cache)");
        if (missing(o.systemDirectory()).isEmpty()) {
            return new Located(o.systemDirectory(), o.systemDirectory() + " (Debian package dataset-fashion-mnist)");
        }
        searched.add(o.systemDirectory() + " (Debian package dataset-fashion-mnist)");
        if (!o.allowDownload()) {
            throw notFound(searched, "downloading is disabled", null);
        }
        try {
            download(o);
        } catch (ChecksumException e) {
            throw e;
        } catch (IOException e) {
            throw notFound(searched, "the download from " + o.baseUri() + " failed: " + e, e);
        }
        return new Located(o.cacheDirectory(), o.cacheDirectory() + " (downloaded from " + o.baseUri() + ")");
    }

    /** Downloads the files the cache lacks. */
    private static void download(Options o) throws IOException {
        String base = o.baseUri().toString();
        URI dir = URI.create(base.endsWith("/") ? base : base + "/");
        Download http = new Download(o.timeout(), o.progress());
        for (String name : missing(o.cacheDirectory())) {
            http.fetch(dir.resolve(name), o.cacheDirectory().resolve(name), SHA256.get(name));
        }
    }

    private static DatasetNotFoundException notFound(List<String> searched, String why, Throwable cause) {
        return new DatasetNotFoundException("Fashion-MNIST not found; searched " + String.join(", ", searched)
                + "; " + why + ". Fix it in one of three ways:\n"
                + "  1. install the Debian package: apt-get install dataset-fashion-mnist (files go to " + SYSTEM_DIR + ")\n"
                + "  2. put the four files (" + String.join(", ", FILES) + ") in a directory and set "
                + ENV_DATA_DIR + " to it (or pass it with Options.withDirectory)\n"
                + "  3. go online once: they are downloaded to ~/.cache/shears/fashion-mnist and checked by SHA-256\n"
                + "Or use FashionMnist.sample() / loadOrSample() for the embedded 3,000-image sample.", cause);
    }

    /** The names of the four files that {@code dir} lacks (a file counts gzip'd or plain). */
    private static List<String> missing(Path dir) {
        List<String> out = new ArrayList<>();
        for (String name : FILES) {
            if (find(dir, name) == null) {
                out.add(name);
            }
        }
        return out;
    }

    /** {@code dir/name} (gzip'd), else {@code dir/name} without {@code .gz}, else null. */
    private static Path find(Path dir, String gzName) {
        for (Path p : List.of(dir.resolve(gzName), dir.resolve(gzName.substring(0, gzName.length() - 3)))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static Idx.Source resource(String name) throws IOException {
        try (InputStream in = FashionMnist.class.getResourceAsStream(SAMPLE_DIR + name)) {
            if (in == null) {
                throw new NoSuchFileException("classpath:dev/shears/datasets/" + SAMPLE_DIR + name, null,
                        "embedded sample missing from the shears-datasets jar");
            }
            return Idx.Source.of(in.readAllBytes(), "classpath:dev/shears/datasets/" + SAMPLE_DIR + name);
        }
    }
}
