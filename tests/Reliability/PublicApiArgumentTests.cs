using System.Reflection;
using CudaNet.Cpu;
using CudaNet.Cuda;
using CudaNet.Data;
using CudaNet.Tests.Training;
using NUnit.Framework;

namespace CudaNet.Tests.Reliability;

/// <summary>
/// Every public constructor and method taking hyperparameters or shapes rejects a bad value with an
/// <see cref="ArgumentException"/> naming the type or op and the argument. A reflection check makes sure every public
/// type with a numeric constructor parameter is in the table (or listed as a plain result record), so a new type
/// cannot be forgotten.
/// </summary>
public sealed class PublicApiArgumentTests
{
    /// <summary>One bad call: the type it belongs to, the words its message must contain, the argument's name.</summary>
    public sealed record BadCall(Type Type, string Case, string MessageNames, string Argument, Action Call)
    {
        public override string ToString() => $"{Type.Name}: {Case}";
    }

    private static BadCall Bad<TType>(string @case, string argument, Action call, string? names = null) =>
        new(typeof(TType), @case, names ?? typeof(TType).Name.Split('`')[0], argument, call);

    private static readonly CpuBackend<float> Cpu = new();
    private static readonly Dataset Data = Blobs.Make(20, 4, 3, separation: 1, seed: 1);

    private static TrainingSession<float> Session() =>
        new Sequential(new Dense(4, 3)).Compile(Cpu, new Sgd(0.1), Loss.SoftmaxCrossEntropy);

    public static IEnumerable<BadCall> Table() =>
    [
        // Layers.
        Bad<Dense>("inputs 0", "inputs", () => _ = new Dense(0, 3)),
        Bad<Dense>("outputs -1", "outputs", () => _ = new Dense(3, -1)),
        Bad<Dense>("weight noise NaN", "weightNoise", () => _ = new Dense(3, 3, weightNoise: double.NaN)),
        Bad<DropConnect>("p 1", "p", () => _ = new DropConnect(3, 3, p: 1)),
        Bad<DropConnect>("samples 0", "samples", () => _ = new DropConnect(3, 3, samples: 0)),
        Bad<Dropout>("p -0.1", "p", () => _ = new Dropout(-0.1)),
        Bad<Dropout>("p 1", "p", () => _ = new Dropout(1)),
        Bad<GaussianNoise>("stddev -1", "stddev", () => _ = new GaussianNoise(-1)),
        Bad<BatchNorm>("features 0", "features", () => _ = new BatchNorm(0)),
        Bad<BatchNorm>("eps 0", "eps", () => _ = new BatchNorm(4, eps: 0)),
        Bad<BatchNorm>("momentum 2", "momentum", () => _ = new BatchNorm(4, momentum: 2)),
        Bad<LayerNorm>("features 0", "features", () => _ = new LayerNorm(0)),
        Bad<LayerNorm>("eps -1", "eps", () => _ = new LayerNorm(4, eps: -1)),
        Bad<GroupNorm>("groups not dividing features", "groups", () => _ = new GroupNorm(3, 4)),
        Bad<GroupNorm>("eps NaN", "eps", () => _ = new GroupNorm(2, 4, eps: double.NaN)),
        Bad<PReLU>("features 0", "features", () => _ = new PReLU(0)),
        Bad<PReLU>("init NaN", "init", () => _ = new PReLU(4, double.NaN)),
        Bad<Elu>("alpha -1", "alpha", () => _ = new Elu(-1)),
        Bad<Regularizer>("L1 negative", "L1", () => _ = new Regularizer(L1: -1, L2: 0)),
        Bad<Sequential>("mismatched features", "inputFeatures", () => _ = new Sequential(new Dense(4, 3), new Dense(5, 2)), names: "Dense"),
        // Optimizers.
        Bad<Sgd>("lr -1", "learningRate", () => _ = new Sgd(-1)),
        Bad<Sgd>("nesterov without momentum", "nesterov", () => _ = new Sgd(0.1, nesterov: true)),
        Bad<Adam>("beta1 1", "beta1", () => _ = new Adam(beta1: 1)),
        Bad<Adam>("eps NaN", "eps", () => _ = new Adam(eps: double.NaN)),
        Bad<AdamW>("weight decay -1", "weightDecay", () => _ = new AdamW(weightDecay: -1)),
        Bad<Adamax>("beta2 -0.5", "beta2", () => _ = new Adamax(beta2: -0.5)),
        Bad<NAdam>("momentum decay -1", "momentumDecay", () => _ = new NAdam(momentumDecay: -1)),
        Bad<RmsProp>("alpha -1", "alpha", () => _ = new RmsProp(alpha: -1)),
        Bad<Adagrad>("lr decay -1", "lrDecay", () => _ = new Adagrad(lrDecay: -1)),
        Bad<Adadelta>("rho 1.5", "rho", () => _ = new Adadelta(rho: 1.5)),
        // Schedules.
        Bad<StepDecay>("step size 0", "stepSize", () => _ = new StepDecay(0, 0.1)),
        Bad<ExponentialDecay>("gamma 0", "gamma", () => _ = new ExponentialDecay(0)),
        Bad<MultiStepDecay>("milestones descending", "milestones", () => _ = new MultiStepDecay([5, 2], 0.1)),
        Bad<CosineAnnealing>("tMax 0", "tMax", () => _ = new CosineAnnealing(0)),
        Bad<CosineWarmRestarts>("tMult 0", "tMult", () => _ = new CosineWarmRestarts(5, 0)),
        Bad<CyclicalSchedule>("max below base", "maxLr", () => _ = new CyclicalSchedule(0.1, 0.01, 5)),
        Bad<LinearDecay>("decay steps 0", "decaySteps", () => _ = new LinearDecay(0, 0)),
        Bad<LinearWarmup>("start factor 0", "startFactor", () => _ = new LinearWarmup(5, 0)),
        Bad<PolynomialDecay>("power -1", "power", () => _ = new PolynomialDecay(5, -1)),
        // Initialisers.
        Bad<Initializer>("normal std -1", "std", () => _ = Initializer.Normal(std: -1)),
        Bad<Initializer>("uniform lo > hi", "hi", () => _ = Initializer.Uniform(2, 1)),
        // Callbacks, options and training calls.
        Bad<EarlyStopping>("patience -1", "patience", () => _ = new EarlyStopping(patience: -1)),
        Bad<EarlyStopping>("min delta NaN", "minDelta", () => _ = new EarlyStopping(minDelta: double.NaN)),
        Bad<FitOptions>("batch size 0", "options", () => Session().Fit(Data, options: new FitOptions(BatchSize: 0)), names: "Fit"),
        Bad<FitOptions>("max grad norm 0", "options", () => Session().Fit(Data, options: new FitOptions(MaxGradNorm: 0)), names: "Fit"),
        Bad<TrainingSession<float>>("epochs -1", "epochs", () => Session().Fit(Data, epochs: -1), names: "Fit"),
        Bad<TrainingSession<float>>("evaluate batch 0", "batchSize", () => Session().Evaluate(Data, batchSize: 0), names: "Evaluate"),
        Bad<TrainingSession<float>>("predict wrong width", "input", () => Session().Predict(new float[5], new float[3]), names: "Predict"),
        Bad<LearningRateSweep>("end below start", "endLr", () => LearningRateFinder.Run(Session(), Data, startLr: 1, endLr: 0.1), names: "LearningRateFinder"),
        Bad<Ensemble<float>>("members 0", "members", () => Ensemble.Train(() => new Sequential(new Dense(4, 3)), Cpu, () => new Sgd(0.1),
            Loss.SoftmaxCrossEntropy, Data, members: 0, epochs: 1), names: "Ensemble"),
        // Data.
        Bad<Dataset>("labels out of range", "labels", () => Dataset.WithLabels(new float[8], 4, [0, 5], 3), names: "Dataset"),
        Bad<Dataset>("split fraction 1.5", "fraction", () => Data.Split(1.5, 1), names: "Split"),
        Bad<Standardizer>("min std 0", "minStd", () => _ = new Standardizer([0.0], [1.0], minStd: 0)),
        Bad<ImageAugmentation>("negative shift", "maxShift", () => _ = new ImageAugmentation(28, 28, maxShift: -1)),
        Bad<ImageAugmentation>("noise NaN", "noiseStd", () => _ = new ImageAugmentation(28, 28, noiseStd: double.NaN)),
        // Tensors and backends.
        Bad<Tensor<float>>("view past the end", "offset", () => Cpu.Allocate<float>(6).View(2, 2, 3), names: "View"),
        Bad<Tensor<float>>("reshape to another length", "shape", () => Cpu.Allocate<float>(6).Reshape(4, 2), names: "Reshape"),
        Bad<CpuBackend<float>>("maxThreads 0", "maxThreads", () => _ = new CpuBackend<float>(maxThreads: 0)),
        Bad<CudaBackend>("device -1", "device", () => CudaBackend.TryCreate(out _, out _, device: -1), names: "device"),
        // Step control: the plan's numbers are validated where the block is built.
        Bad<StepControl<float>>("capacity 0", "capacity", () => _ = new StepControl<float>(Cpu, new UpdatePlan(new SgdSettings(), []), 0)),
        Bad<UpdatePlan>("max grad norm 0", "plan", () => _ = new StepControl<float>(Cpu, new UpdatePlan(new SgdSettings(), [], MaxGradNorm: 0), 1),
            names: "StepControl"),
        Bad<GroupPenalties>("L1 -1", "plan", () => _ = new StepControl<float>(Cpu, new UpdatePlan(new SgdSettings(), [new GroupPenalties(L1: -1)]), 1),
            names: "StepControl"),
    ];

    [TestCaseSource(nameof(Table))]
    public void ABadValueIsAnArgumentExceptionNamingTheTypeAndTheArgument(BadCall bad)
    {
        var error = Assert.Catch<ArgumentException>(() => bad.Call(), bad.ToString());
        Assert.That(error!.Message, Does.Contain(bad.MessageNames).IgnoreCase, "the message names the type or op");
        Assert.That(error.ParamName, Is.EqualTo(bad.Argument), "the exception names the argument");
    }

    /// <summary>Bad calls whose exception does not yet name the type and the argument (reported to the lead; each needs a
    /// one-line change in a file this suite does not own): LeakyReLU's message names ActivationLayer and the argument
    /// 'activation'; Activation.Elu accepts an infinite alpha until the activation is used; ModelCheckpoint's empty-folder
    /// message does not name ModelCheckpoint.</summary>
    public static IEnumerable<BadCall> Gaps() =>
    [
        Bad<LeakyReLU>("slope NaN", "negativeSlope", () => _ = new LeakyReLU(double.NaN), names: "LeakyReLU"),
        Bad<Elu>("alpha infinite", "alpha", () => _ = new Elu(double.PositiveInfinity), names: "Elu"),
        Bad<ModelCheckpoint>("empty folder", "folder", () => _ = new ModelCheckpoint("")),
    ];

    [TestCaseSource(nameof(Gaps))]
    public void FormerGapsBehaveLikeTheTable(BadCall bad) => ABadValueIsAnArgumentExceptionNamingTheTypeAndTheArgument(bad);

    /// <summary>Public records whose numeric constructor parameters are results or plain data (nothing to validate).</summary>
    private static readonly HashSet<Type> ResultRecords =
    [
        typeof(EpochMetrics), typeof(Evaluation), typeof(GradientCheckResult), typeof(LayerCounter), typeof(LearningRatePoint),
        typeof(LearningRateSweep), typeof(ParameterGroup), typeof(UncertainPrediction), typeof(UpdateStep), typeof(ImageTransform),
        typeof(AdadeltaSettings), typeof(AdagradSettings), typeof(AdamaxSettings), typeof(AdamSettings), typeof(NadamSettings),
        typeof(RmsPropSettings), typeof(SgdSettings), typeof(Cpu.Verification.VerificationRow), typeof(Cpu.Verification.VerificationTolerance),
        typeof(StepCounters), typeof(StepGraphCounters),
        // A plain value (kind, α) that every op and layer taking it validates, so tests can build invalid ones.
        typeof(Activation),
    ];

    [Test]
    public void EveryPublicTypeWithANumericConstructorIsInTheTable()
    {
        static bool Numeric(Type t) => (Nullable.GetUnderlyingType(t) ?? t) is var u &&
                                       (u == typeof(int) || u == typeof(long) || u == typeof(double) || u == typeof(float));
        var covered = Table().Concat(Gaps()).Select(b => b.Type.IsGenericType ? b.Type.GetGenericTypeDefinition() : b.Type).ToHashSet();
        var missing = new[] { typeof(Sequential).Assembly, typeof(CpuKernels).Assembly, typeof(CudaBackend).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => !t.IsAbstract && t.GetConstructors().Any(c => c.GetParameters().Any(p => Numeric(p.ParameterType))))
            .Where(t => !covered.Contains(t) && !ResultRecords.Contains(t))
            .Select(t => t.FullName).ToList();
        Assert.That(missing, Is.Empty, "add a bad-value row for each (or list it as a result record)");
        TestContext.Out.WriteLine($"{Table().Count()} bad calls over {covered.Count} types; {ResultRecords.Count} result records exempt");
    }
}
