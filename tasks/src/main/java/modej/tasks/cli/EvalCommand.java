package modej.tasks.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import modej.engine.device.Backend;
import modej.model.checkpoint.CheckpointException;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.tokenizer.Tokenizer;
import modej.model.gpt.GptParams;
import modej.tasks.data.DomainData;
import modej.tasks.data.HeldOutSplit;
import modej.tasks.eval.EvalReport;
import modej.tasks.eval.Evaluator;
import modej.tasks.eval.LoadedModel;
import modej.tasks.eval.ReportPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./modej eval}: compare adapted models and the frozen backbone on every domain's held-out split. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare adapted models and the frozen backbone on each domain's held-out split.",
                "Reports next-token accuracy, loss, perplexity and bits per byte (on the split train uses),",
                "retention on English, parameter, FLOP and training costs, and gate use.",
                "--validation: as given to train; eval never holds out more than the",
                "backbone's pretraining did, so that no evaluated text was pretrained on."})
final class EvalCommand implements Callable<Integer> {

    @Option(names = "--backbone", required = true, paramLabel = "FILE",
            description = "Backbone checkpoint (from ./modej pretrain); always evaluated, as 'frozen'.")
    Path backbone;
    @Option(names = "--data", required = true, paramLabel = "NAME=SPEC",
            description = "A domain and its corpus (file, folder, glob or 'wordnet'); repeat for each domain.")
    List<String> data;
    @Option(names = "--model", paramLabel = "LABEL=KIND:FILE",
            description = "A model to compare; KIND: full (train --method full), lora (lora, lora-matched) "
                    + "mode (mode-expert, mode-compose), btx (btx-branch, btx-mix) or moe-lora. Repeat for each.")
    List<String> models = new ArrayList<>();
    @Option(names = "--english", paramLabel = "NAME",
            description = "The domain retention is measured on (default: 'english' if there is such a domain, else none).")
    String english;
    @Mixin
    BatchOptions batchOptions;
    @Mixin
    EvaluationOptions evaluation = new EvaluationOptions().withEvalBatches(16).withValidation(0.1);
    @Option(names = "--json", paramLabel = "FILE", description = "Also write the full result as JSON.")
    Path json;
    @Mixin
    BackendOptions backendOptions;

    @Override
    public Integer call() throws Exception {
        int batch = batchOptions.batch, evalBatches = evaluation.evalBatches;
        double validation = evaluation.validation;
        if (batch < 1 || evalBatches < 1) {
            throw new UserError("--batch and --eval-batches must be >= 1, got " + batch + " and " + evalBatches);
        }
        if (!Files.isRegularFile(backbone)) {
            throw new UserError("--backbone: no such file " + backbone);
        }
        GptParams base;
        Map<String, String> backboneMetadata;
        Tokenizer tokenizer;
        try {
            GptCheckpoint.Loaded checkpoint = GptCheckpoint.load(backbone, false);
            base = checkpoint.params();
            backboneMetadata = checkpoint.metadata();
            tokenizer = checkpoint.tokenizer();
        } catch (CheckpointException e) {
            throw new UserError("--backbone: " + e.getMessage(), e);
        }
        int seqLen = batchOptions.seq(base.config().context());
        if (seqLen < 1 || seqLen > base.config().context()) {
            throw new UserError("--seq must be in [1, " + base.config().context() + "] (the backbone's context), got " + seqLen);
        }
        List<LoadedModel> loaded = new ArrayList<>(List.of(LoadedModel.frozen(base)));
        for (String m : models) {
            LoadedModel one = LoadedModel.load(m, base);
            if (loaded.stream().anyMatch(x -> x.label().equals(one.label()))) {
                throw new UserError("--model " + m + ": label '" + one.label() + "' given twice");
            }
            loaded.add(one);
        }
        // hold out no more than the backbone did (same rule), so that no evaluated text was pretrained on
        String split = backboneMetadata.get(HeldOutSplit.KEY);
        double heldOut = split == null ? validation : Math.min(validation, HeldOutSplit.parse(split).fraction());
        if (heldOut < validation) {
            System.err.printf("--validation %s: the backbone held out %s of its corpus; holding out %s, so that no evaluated "
                    + "text was pretrained on%n", validation, heldOut, heldOut);
        }
        DomainData domains = DomainData.load(data, heldOut, tokenizer);
        String retentionDomain = english(domains);
        for (String d : domains.names()) {
            int held = domains.get(d).validation().length;
            if (held < seqLen + 1) {
                throw new UserError("domain " + d + ": the held-out split has " + held + " tokens, fewer than one window of "
                        + (seqLen + 1) + "; lower --seq or raise --validation");
            }
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("backbone", backbone.toString());
        settings.put("data", List.copyOf(data));
        settings.put("validation", heldOut);
        settings.put("batch", batch);
        settings.put("seq", seqLen);
        settings.put("evalBatches", evalBatches);
        settings.put("java", Runtime.version().toString());
        try (Backend be = backendOptions.backend()) {
            Evaluator evaluator = new Evaluator(be, new Evaluator.Settings(batch, seqLen, evalBatches, retentionDomain));
            EvalReport report = evaluator.run(loaded, domains, settings, System.err);
            ReportPrinter.print(report, System.out);
            if (json != null) {
                report.write(json);
                System.out.println("json: " + json);
            }
            if (backendOptions.profile) {
                ProfilePrinter.print(System.err, be);
            }
        }
        return 0;
    }

    /** The retention domain: --english (which must exist), else 'english' if present, else none. */
    private String english(DomainData domains) {
        if (english != null) {
            if (!domains.names().contains(english)) {
                throw new UserError("--english " + english + ": no such domain; have " + domains.names());
            }
            return english;
        }
        return domains.names().contains("english") ? "english" : null;
    }
}
