# The lambdastorm image: the CLI with every role (run, emulator, coordinator, agent, validate, report).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/LambdaStorm.Cli -c Release -o /app

# ASP.NET Core runtime: run serves /metrics and the emulator its API with Kestrel.
FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /work
COPY --from=build /app /app
COPY scenarios /work/scenarios
ENTRYPOINT ["dotnet", "/app/lambdastorm.dll"]
CMD ["--help"]
