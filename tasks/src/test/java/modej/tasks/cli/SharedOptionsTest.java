package modej.tasks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The options pretrain, train and eval share are declared once (a mixin per group): one help text
 * each, and each command's defaults as they were before the mixins (main 9f1df6d), so that a run
 * without options trains exactly what it trained then.
 */
class SharedOptionsTest {

    private static final List<String> SHARED = List.of("--batch", "--seq", "--steps", "--lr", "--min-lr", "--warmup-steps",
            "--weight-decay", "--grad-clip", "--seed", "--eval-every", "--checkpoint-every", "--eval-batches", "--validation");

    @Test
    void pretrainsDefaultsAreUnchanged() {
        PretrainCommand p = new PretrainCommand();
        new CommandLine(p).parseArgs();
        assertEquals("tiny", p.shape.preset);
        assertEquals(8, p.batchOptions.batch);
        assertEquals(null, p.batchOptions.seq);
        assertEquals(0.05, p.evaluation.validation);
        assertEquals(8, p.evaluation.evalBatches);
        // the settings text saved in the checkpoint, as the old Pretrainer.Settings wrote it for these defaults
        assertEquals("Settings[batch=8, seq=128, steps=1500, lr=LearningRate[peak=0.001, floor=1.0E-4, warmupSteps=50, "
                + "totalSteps=1500], adamw=AdamWSettings[beta1=0.9, beta2=0.95, eps=1.0E-8, weightDecay=0.1], evalEvery=500, "
                + "evalBatches=8, checkpointEvery=250, seed=1337, gradClip=0.0]",
                new modej.tasks.train.Pretrainer.Settings(p.training.settings(8, 128, 8), p.training.checkpointEvery).toString());
    }

    @Test
    void trainsDefaultsAreUnchanged() {
        TrainCommand t = new TrainCommand();
        new CommandLine(t).parseArgs("--method", "full", "--backbone", "b.safetensors", "--data", "a=a.txt");
        assertEquals(8, t.batchOptions.batch);
        assertEquals(0.1, t.evaluation.validation);
        assertEquals(8, t.evaluation.evalBatches);
        assertEquals(0, t.training.checkpointEvery);
        // as the old Adaptation.Settings wrote it (with AdamWSettings.DEFAULT, which train used before --weight-decay)
        assertEquals("Settings[batch=8, seq=32, steps=300, lr=LearningRate[peak=0.001, floor=1.0E-4, warmupSteps=30, "
                + "totalSteps=300], adamw=AdamWSettings[beta1=0.9, beta2=0.95, eps=1.0E-8, weightDecay=0.1], evalEvery=0, "
                + "evalBatches=8, seed=1337, gradClip=0.0]", t.training.settings(8, 32, 8).toString());
    }

    @Test
    void evalsDefaultsAreUnchanged() {
        EvalCommand e = new EvalCommand();
        new CommandLine(e).parseArgs("--backbone", "b.safetensors", "--data", "a=a.txt");
        assertEquals(8, e.batchOptions.batch);
        assertEquals(null, e.batchOptions.seq);
        assertEquals(16, e.evaluation.evalBatches);
        assertEquals(0.1, e.evaluation.validation);
    }

    @Test
    void optionsAreParsedIntoTheMixins() {
        TrainCommand t = new TrainCommand();
        new CommandLine(t).parseArgs("--method", "full", "--backbone", "b", "--data", "a=a", "--steps", "7", "--lr", "2e-3",
                "--min-lr", "1e-5", "--warmup-steps", "2", "--weight-decay", "0.01", "--grad-clip", "1", "--seed", "5",
                "--eval-every", "3", "--checkpoint-every", "4", "--batch", "2", "--seq", "16", "--eval-batches", "1",
                "--validation", "0.3");
        assertEquals("Settings[batch=2, seq=16, steps=7, lr=LearningRate[peak=0.002, floor=1.0E-5, warmupSteps=2, "
                + "totalSteps=7], adamw=AdamWSettings[beta1=0.9, beta2=0.95, eps=1.0E-8, weightDecay=0.01], evalEvery=3, "
                + "evalBatches=1, seed=5, gradClip=1.0]",
                t.training.settings(t.batchOptions.batch, t.batchOptions.seq(64), t.evaluation.evalBatches).toString());
        assertEquals(4, t.training.checkpointEvery);
        assertEquals(0.3, t.evaluation.validation);
    }

    @Test
    void eachSharedOptionHasOneHelpTextInEveryCommand() {
        CommandLine main = new CommandLine(new Main());
        Map<String, List<String>> texts = new HashMap<>();
        Map<String, List<String>> commands = new HashMap<>();
        for (String name : List.of("pretrain", "train", "eval")) {
            CommandLine c = main.getSubcommands().get(name);
            for (String option : SHARED) {
                OptionSpec o = c.getCommandSpec().findOption(option);
                if (o != null) {
                    // the text, its default aside (the defaults may differ on purpose)
                    texts.computeIfAbsent(option, k -> new ArrayList<>()).add(String.join(" ", o.description())
                            .replace("(default: " + o.defaultValueString() + ")", "(default: D)"));
                    commands.computeIfAbsent(option, k -> new ArrayList<>()).add(name);
                }
            }
        }
        for (String option : SHARED) {
            assertNotNull(texts.get(option), option + " is in no command");
            assertEquals(1, texts.get(option).stream().distinct().count(), option + " has different help in " + commands.get(option));
        }
        // eval trains nothing: it takes the batch and evaluation groups only
        assertEquals(List.of("pretrain", "train", "eval"), commands.get("--eval-batches"));
        assertEquals(List.of("pretrain", "train"), commands.get("--steps"));
        assertFalse(main.getSubcommands().get("eval").getCommandSpec().optionsMap().containsKey("--eval-every"));
    }

    @Test
    void helpShowsEachCommandsOwnDefaults() {
        CommandLine main = new CommandLine(new Main());
        String pretrain = main.getSubcommands().get("pretrain").getUsageMessage();
        String train = main.getSubcommands().get("train").getUsageMessage();
        String eval = main.getSubcommands().get("eval").getUsageMessage();
        assertTrue(pretrain.contains("Training steps (default: 1500)"), pretrain);
        assertTrue(train.contains("Training steps (default: 300)"), train);
        assertTrue(pretrain.matches("(?s).*chosen by content hash \\(default: 0\\.05\\).*"), pretrain);
        assertTrue(eval.matches("(?s).*per domain, at most\\s+\\(default: 16\\).*"), eval);
    }
}
