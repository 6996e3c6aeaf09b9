namespace CudaNet.Cuda;

/// <summary>What one recorded command of a step queues.</summary>
internal enum StepCommandKind : byte
{
    /// <summary>A kernel launch.</summary>
    Kernel,
    /// <summary>A device-to-device copy (<c>cuMemcpyDtoDAsync</c>).</summary>
    Copy,
}

/// <summary>One command of a recorded step: a kernel launch (function, geometry, and its arguments as
/// <see cref="StepRecording.Slots"/>) or a device-to-device copy.</summary>
internal readonly record struct StepCommand(StepCommandKind Kind, Kernel Kernel, nint Function, LaunchShape Shape,
    int FirstArgument, int ArgumentCount, ulong Destination, ulong Source, ulong Bytes);

/// <summary>
/// The commands one training step queues, in order, with every kernel argument copied by value (each into an 8-byte
/// slot, zero-extended, so a slot's address is a valid argument pointer for any scalar parameter). Cleared and refilled
/// every step; the arrays grow during the first step and are reused afterwards, so recording allocates nothing once
/// warm.
/// </summary>
internal sealed class StepRecording
{
    private StepCommand[] _commands = new StepCommand[64];
    private ulong[] _slots = new ulong[512];
    private int _slotCount;

    /// <summary>Commands recorded since <see cref="Clear"/>.</summary>
    public int Count { get; private set; }

    /// <summary>The command at <paramref name="index"/>.</summary>
    public ref readonly StepCommand this[int index] => ref _commands[index];

    /// <summary>Every argument slot; a kernel command's are <c>[FirstArgument, FirstArgument + ArgumentCount)</c>.
    /// Pin the array to pass slot addresses to the driver.</summary>
    public ulong[] Slots => _slots;

    /// <summary>Forgets every command (keeps the arrays).</summary>
    public void Clear()
    {
        Count = 0;
        _slotCount = 0;
    }

    /// <summary>Records a launch of <paramref name="kernel"/>: <paramref name="arguments"/> points at one value per
    /// parameter, whose sizes the PTX declares (<paramref name="sizes"/>).</summary>
    public unsafe void AddKernel(Kernel kernel, nint function, LaunchShape shape, ReadOnlySpan<nint> arguments,
        ReadOnlySpan<byte> sizes)
    {
        if (arguments.Length != sizes.Length)
        {
            throw new ArgumentException($"{KernelNames.Of(kernel)}: the launcher passes {arguments.Length} arguments " +
                $"but the PTX declares {sizes.Length} parameters.", nameof(arguments));
        }
        EnsureSlots(arguments.Length);
        int first = _slotCount;
        for (int i = 0; i < arguments.Length; i++)
        {
            void* value = (void*)arguments[i];
            _slots[first + i] = sizes[i] switch
            {
                8 => *(ulong*)value,
                4 => *(uint*)value,
                2 => *(ushort*)value,
                1 => *(byte*)value,
                _ => throw new ArgumentException($"{KernelNames.Of(kernel)}: parameter {i} has {sizes[i]} bytes.", nameof(sizes)),
            };
        }
        _slotCount += arguments.Length;
        Add(new StepCommand(StepCommandKind.Kernel, kernel, function, shape, first, arguments.Length, 0, 0, 0));
    }

    /// <summary>Records a copy of <paramref name="bytes"/> bytes between device addresses.</summary>
    public void AddCopy(ulong destination, ulong source, ulong bytes) =>
        Add(new StepCommand(StepCommandKind.Copy, default, 0, default, 0, 0, destination, source, bytes));

    /// <summary>True when both recordings hold the same commands in the same order — the same kernels, the same
    /// copies — so a graph captured from one can replay the other after its kernel arguments are updated.</summary>
    public bool SameStructure(StepRecording other)
    {
        if (Count != other.Count) return false;
        for (int i = 0; i < Count; i++)
        {
            ref readonly var mine = ref _commands[i];
            ref readonly var theirs = ref other._commands[i];
            if (mine.Kind != theirs.Kind || mine.Function != theirs.Function || mine.ArgumentCount != theirs.ArgumentCount)
                return false;
            if (mine.Kind == StepCommandKind.Copy &&
                (mine.Destination, mine.Source, mine.Bytes) != (theirs.Destination, theirs.Source, theirs.Bytes))
                return false;
        }
        return true;
    }

    /// <summary>True when kernel command <paramref name="index"/> launches with the same geometry and arguments in
    /// both recordings (which must have the same structure).</summary>
    public bool SameLaunch(int index, StepRecording other)
    {
        ref readonly var mine = ref _commands[index];
        ref readonly var theirs = ref other._commands[index];
        return mine.Shape == theirs.Shape &&
               _slots.AsSpan(mine.FirstArgument, mine.ArgumentCount)
                   .SequenceEqual(other._slots.AsSpan(theirs.FirstArgument, theirs.ArgumentCount));
    }

    private void Add(in StepCommand command)
    {
        if (Count == _commands.Length) Array.Resize(ref _commands, 2 * Count);
        _commands[Count++] = command;
    }

    private void EnsureSlots(int more)
    {
        if (_slotCount + more > _slots.Length) Array.Resize(ref _slots, Math.Max(2 * _slots.Length, _slotCount + more));
    }
}
