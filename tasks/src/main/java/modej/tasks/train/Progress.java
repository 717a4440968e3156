package modej.tasks.train;

import java.io.PrintStream;
import java.time.Duration;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Step progress with loss, tokens/s and ETA: a live bar on a terminal, and one plain line every
 * 5% when the output goes to a file or a pipe (where a redrawn bar would be noise).
 */
public final class Progress implements AutoCloseable {

    private final PrintStream out;
    private final ProgressBar bar;
    private final int first;
    private final int last;
    private final long startNanos = System.nanoTime();
    private final int lineEvery;

    public Progress(String task, int first, int last, PrintStream out) {
        this.out = out;
        this.first = first;
        this.last = last;
        this.lineEvery = Math.max(1, (last - first) / 20);
        boolean terminal = isTerminal();
        this.bar = !terminal ? null : new ProgressBarBuilder().setTaskName(task).setInitialMax(last)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate()
                .startsFrom(first, Duration.ZERO).setConsumer(new ConsoleProgressBarConsumer(out)).build();
    }

    /** Reports that {@code step} is done; {@code tokens} have been processed since the start. */
    public void step(int step, double loss, long tokens) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double tokPerS = tokens / Math.max(seconds, 1e-9);
        if (bar != null) {
            bar.stepTo(step);
            bar.setExtraMessage(String.format(" loss %.3f | %,.0f tok/s", loss, tokPerS));
        } else if ((step - first) % lineEvery == 0 || step == last) {
            long eta = Math.round(seconds / (step - first) * (last - step));
            out.printf("step %d/%d  loss %.4f  %,.0f tok/s  elapsed %s  eta %s%n", step, last, loss, tokPerS,
                    clock(Math.round(seconds)), clock(eta));
        }
    }

    /** A line that must not be overwritten by the bar. */
    public void println(String line) {
        out.println(bar != null ? "\n" + line : line);
    }

    /** JDK 22+ returns a console even when redirected and says so through isTerminal(); JDK 21 returns null. */
    private static boolean isTerminal() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    private static String clock(long s) {
        return String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
