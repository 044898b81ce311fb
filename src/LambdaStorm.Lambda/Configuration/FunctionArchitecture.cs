namespace LambdaStorm.Lambda;

/// <summary>Instruction set architecture of a function (AWS <c>Architectures</c>: <c>x86_64</c> or <c>arm64</c>).</summary>
internal enum FunctionArchitecture
{
    /// <summary><c>x86_64</c>, the AWS default.</summary>
    X86_64,

    /// <summary><c>arm64</c> (Graviton): cheaper per GB-s and faster to initialise [S24][S32].</summary>
    Arm64,
}

/// <summary>Wire names of <see cref="FunctionArchitecture"/>.</summary>
internal static class FunctionArchitectureNames
{
    /// <summary>Parses <c>x86_64</c> or <c>arm64</c> (case-insensitive; <c>x86</c>, <c>amd64</c> and <c>aarch64</c> accepted).</summary>
    public static bool TryParse(string? text, out FunctionArchitecture architecture)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "x86_64" or "x86-64" or "x86" or "amd64":
                architecture = FunctionArchitecture.X86_64;
                return true;
            case "arm64" or "aarch64" or "arm":
                architecture = FunctionArchitecture.Arm64;
                return true;
            default:
                architecture = FunctionArchitecture.X86_64;
                return false;
        }
    }

    /// <summary>The AWS wire name (<c>x86_64</c> or <c>arm64</c>).</summary>
    public static string ToWireName(this FunctionArchitecture architecture) =>
        architecture == FunctionArchitecture.Arm64 ? "arm64" : "x86_64";
}
