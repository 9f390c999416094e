package dev.shears.bench.cli;

import dev.shears.interop.ModelFormat;
import dev.shears.interop.Models;
import dev.shears.infer.CompactModelFile;
import dev.shears.infer.InferenceModel;
import dev.shears.io.ModelFiles;
import dev.shears.io.ModelFormatException;
import dev.shears.nn.Sequential;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

/**
 * The file checks and model loading the subcommands share: inputs are checked before they are opened (so
 * that every message names the file, even for a directory), outputs before any work is done.
 */
final class CliFiles {
    private CliFiles() {
    }

    /**
     * Checks that {@code file} is an existing, readable regular file.
     *
     * @throws NoSuchFileException, AccessDeniedException or FileSystemException naming it
     */
    static Path requireReadableFile(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        if (Files.isDirectory(file)) {
            throw new FileSystemException(file.toString(), null, "is a directory, expected a file");
        }
        if (!Files.isReadable(file)) {
            throw new AccessDeniedException(file.toString());
        }
        return file;
    }

    /** Checks that an output file can be created: its directory exists. */
    static Path requireOutputDirectory(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.exists(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no such directory, so " + file + " cannot be written");
        }
        if (dir != null && !Files.isDirectory(dir)) {
            throw new NotDirectoryException(dir.toString());
        }
        if (Files.isDirectory(file)) {
            throw new FileSystemException(file.toString(), null, "is a directory, expected a file name to write");
        }
        return file;
    }

    /**
     * The format a model output file's extension asks for, checked before any work is done.
     *
     * @throws IllegalArgumentException for an extension Shears cannot write (including Keras'), listing those it can
     */
    static ModelFormat modelOutputFormat(Path file) throws IOException {
        ModelFormat format;
        try {
            format = ModelFormat.fromExtension(file);
        } catch (ModelFormatException e) {
            format = null;
        }
        if (format == null || !format.writable()) {
            String writable = Arrays.stream(ModelFormat.values()).filter(ModelFormat::writable)
                    .map(ModelFormat::extension).collect(Collectors.joining(", "));
            throw new IllegalArgumentException(file + ": cannot write a model in this format"
                    + (format == null ? "" : " (" + format.extension() + " files are read only)") + "; expected a file name ending in "
                    + writable);
        }
        requireOutputDirectory(file);
        return format;
    }

    /** The format of an existing model file, from its content. */
    static ModelFormat detect(Path file) throws IOException {
        return ModelFormat.detect(requireReadableFile(file));
    }

    /**
     * A trainable model from any model file; a compact {@code .shrs} file is rebuilt from its runtime
     * model (pruned weights stay exact zeros). NaN or infinite weights are refused unless {@code allowNonFinite}.
     */
    static Sequential loadTrainable(Path file, ModelFormat format, boolean allowNonFinite) throws IOException {
        return format == ModelFormat.COMPACT ? loadRuntime(file, allowNonFinite).toSequential() : load(file, allowNonFinite);
    }

    /** {@link Models#load}, refusing NaN or infinite weights unless {@code allowNonFinite}. */
    static Sequential load(Path file, boolean allowNonFinite) throws IOException {
        Sequential model = Models.load(file);
        if (!allowNonFinite) {
            ModelFiles.checkFinite(model, file);
        }
        return model;
    }

    /** {@link Models#loadRuntime}, refusing NaN or infinite weights unless {@code allowNonFinite}. */
    static InferenceModel loadRuntime(Path file, boolean allowNonFinite) throws IOException {
        if (ModelFormat.detect(file) == ModelFormat.COMPACT) {
            return CompactModelFile.read(file, !allowNonFinite);
        }
        return InferenceModel.compile(load(file, allowNonFinite));
    }

    /** Whether {@code --allow-non-finite} was given, before or after the subcommand. */
    static boolean allowNonFinite(CommandSpec spec) {
        for (CommandSpec s = spec; s != null; s = s.parent()) {
            ParseResult parsed = s.commandLine().getParseResult();
            if (parsed != null && parsed.hasMatchedOption(ShearsCli.ALLOW_NON_FINITE)) {
                return true;
            }
        }
        return false;
    }

    /** What a format is, in words. */
    static String describe(ModelFormat format) {
        return switch (format) {
            case SAFETENSORS -> "Shears safetensors, trainable";
            case COMPACT -> "Shears compact runtime file .shrs, inference only";
            case ONNX -> "ONNX";
            case KERAS -> "Keras 3 .keras zip";
            case KERAS_H5 -> "Keras HDF5 .h5";
        };
    }
}
