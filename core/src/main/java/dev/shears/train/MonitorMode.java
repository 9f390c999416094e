package dev.shears.train;

/**
 * Whether a monitored quantity should go down or up, Keras's {@code mode} of EarlyStopping,
 * ModelCheckpoint and ReduceLROnPlateau. {@link #AUTO} infers it from the name: loss (and val_loss) go
 * down, accuracy (and val_accuracy) go up; other names need MIN or MAX.
 */
public enum MonitorMode {
    AUTO, MIN, MAX
}
